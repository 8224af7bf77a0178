"""Query/Retrieve with exact expected answers:
  - DCMTK findscu / movescu (storescp as destination) / getscu against atrium serve: every
    matching type, every level, both roots, queries in five character sets, C-CANCEL, bad queries;
  - a move to a destination that accepts only Implicit VR LE arrives decoded;
  - atrium find / move / get against DCMTK dcmqrscp and against Orthanc."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import (ATRIUM, IMPLICIT_LE, PYDICOM_DATA, AtriumServer, Orthanc, RawAssociation, StoreScp,  # noqa: E402
                            c_cancel_rq, c_find_rq, check, cleanup, dataset_bytes, findscu, free_port, main, p_data,
                            read_until_final, run, split_part10, tempdir, wait_for_port, write_instance)

sys.path.insert(0, "/usr/lib/python3/dist-packages")
import pydicom  # noqa: E402

P = "1.2.826.0.1.3680043.9.7777.3"
STUDY_FIND = "1.2.840.10008.5.1.4.1.2.2.1"


def mr_identifier(level, study_uid):
    from pydicom.dataset import Dataset
    ds = Dataset()
    ds.QueryRetrieveLevel = level
    ds.StudyInstanceUID = study_uid
    ds.SOPInstanceUID = ""
    return dataset_bytes(ds)
S1, S2, S3, S4, BIG = P + ".1", P + ".2", P + ".3", P + ".4", P + ".5"


def build_corpus(folder):
    """Four studies of three patients with known attributes, plus a 200-instance study."""
    os.makedirs(folder, exist_ok=True)
    files = []

    def add(study, series, n, **kw):
        for i in range(n):
            uid = f"{series}.{i + 1}"
            files.append(write_instance(os.path.join(folder, uid + ".dcm"), uid, study, series, instance_number=i + 1,
                                        **kw))
    a = dict(patient_name="Smith^John", patient_id="PA")
    add(S1, S1 + ".1", 3, study_date="20250110", study_time="083000", accession="ACC1", modality="MR",
        description="Cardiac MR", series_number=1, **a)
    add(S1, S1 + ".2", 2, study_date="20250110", study_time="083000", accession="ACC1", modality="MR",
        description="Cardiac MR", series_number=2, **a)
    add(S2, S2 + ".1", 2, study_date="20250115", study_time="140000", accession="ACC2", modality="CT", **a)
    b = dict(patient_name="SMITHSON^Anna", patient_id="PB", study_date="20250120", study_time="120000",
             accession="ACC3")
    add(S3, S3 + ".1", 1, modality="MR", **b)
    add(S3, S3 + ".2", 1, modality="SR", series_number=2, **b)
    add(S4, S4 + ".1", 1, patient_name="Jones^Bob", patient_id="PC", study_date="20250201", study_time="093000",
        accession="ACC4", modality="MR")
    add(BIG, BIG + ".1", 200, patient_name="Many^Images", patient_id="PD", study_date="20240101", accession="BIG",
        modality="MR")
    charset = [os.path.join(PYDICOM_DATA, "charset_files", n) for n in
               ("chrFren.dcm", "chrRuss.dcm", "chrGreek.dcm", "chrH31.dcm", "chrH32.dcm", "chrX2.dcm")]
    return files, charset


_shared = None


def shared_fixture():
    """One archive with the corpus for the tests that only read it (each would take ~10 s)."""
    global _shared
    if _shared is None:
        import atexit
        _shared = Fixture().__enter__()
        atexit.register(_shared.__exit__, None, None, None)
    return _shared


class Fixture:
    def __init__(self):
        self.work = tempdir("qr")
        self.files, self.charset = build_corpus(os.path.join(self.work, "corpus"))
        self.scp = StoreScp(os.path.join(self.work, "moved"), aet="STORESCP")
        self.implicit_port = free_port()
        self.srv = AtriumServer(os.path.join(self.work, "data"), config={"accept_unknown_aets": True}, extra_args=[
            "--peer", f"STORESCP@127.0.0.1:{self.scp.port}", "--peer", f"IMPLICIT@127.0.0.1:{self.implicit_port}"])

    def __enter__(self):
        self.srv.start()
        run(["dcmsend", "-aec", "ATRIUM", "-nh", "127.0.0.1", str(self.srv.port)] + self.files + self.charset,
            check_rc=0, timeout=300)
        return self

    def __exit__(self, *exc):
        self.srv.stop()
        cleanup(self.work)


def studies(port, *keys, root="-S"):
    status, rsps = findscu(port, ["QueryRetrieveLevel=STUDY", "StudyInstanceUID"] + list(keys), root=root)
    check(status == "Success", f"{keys}: {status}")
    return {str(r.StudyInstanceUID) for r in rsps}


def test_matching_types_and_levels():
    f = shared_fixture()
    port = f.srv.port
    cases = [
        (["AccessionNumber=ACC2"], {S2}),
        (["PatientName=Smith*"], {S1, S2, S3}),              # PN wildcard, case-insensitive
        (["PatientName=J?nes^Bob"], {S4}),
        (["PatientName=smith^john"], {S1, S2}),
        (["StudyDate=20250112-20250125"], {S2, S3}),
        (["StudyDate=20250120-"], {S3, S4}),
        (["StudyDate=-20250110"], {S1, BIG}),
        (["StudyDate=20250110-20250120", "StudyTime=100000-130000"], {S2, S3}),  # combined date-time
        ([f"StudyInstanceUID={S1}\\{S4}"], {S1, S4}),
        (["ModalitiesInStudy=CT"], {S2}),
        (["ModalitiesInStudy=SR\\CT"], {S2, S3}),
        (["StudyDescription=Cardiac*", "PatientID=PA"], {S1}),
        (["AccessionNumber=NONE"], set()),
    ]
    for keys, expected in cases:
        # Every study answered counts, the charset corpus's included (none of those may match these).
        got = studies(port, *keys)
        check(got == expected, f"{keys}: got {sorted(got, key=str)}, expected {sorted(expected)}")

    status, rsps = findscu(port, ["QueryRetrieveLevel=STUDY", f"StudyInstanceUID={S3}", "ModalitiesInStudy",
                                  "NumberOfStudyRelatedSeries", "NumberOfStudyRelatedInstances", "PatientName",
                                  "StudyDate", "OtherPatientIDsSequence", "InstitutionName"])
    check(status == "Success" and len(rsps) == 1, f"S3: {status} {len(rsps)}")
    r = rsps[0]
    check(set(r.ModalitiesInStudy) == {"MR", "SR"}, f"ModalitiesInStudy {r.ModalitiesInStudy}")
    check(int(r.NumberOfStudyRelatedSeries) == 2 and int(r.NumberOfStudyRelatedInstances) == 2, "S3 counts")
    check(str(r.PatientName) == "SMITHSON^Anna" and r.StudyDate == "20250120", "S3 attributes")
    check("InstitutionName" in r and r.InstitutionName == "", "unsupported key not returned empty")
    # The query named no character set and the answer is ASCII: the default repertoire, none named
    # (test_response_charset covers answers in the query's set).
    check("SpecificCharacterSet" not in r, "an ASCII answer to a default-repertoire query names no character set")

    # Patient root, PATIENT level, computed counts.
    status, rsps = findscu(port, ["QueryRetrieveLevel=PATIENT", "PatientID=PA", "PatientName",
                                  "NumberOfPatientRelatedStudies", "NumberOfPatientRelatedSeries",
                                  "NumberOfPatientRelatedInstances"], root="-P")
    check(status == "Success" and len(rsps) == 1, f"patient level: {status} {len(rsps)}")
    check((int(rsps[0].NumberOfPatientRelatedStudies), int(rsps[0].NumberOfPatientRelatedSeries),
           int(rsps[0].NumberOfPatientRelatedInstances)) == (2, 3, 7), "patient counts")
    # Patient root, STUDY level under a patient.
    check(studies(port, "PatientID=PB", root="-P") == {S3}, "patient-root study level")
    # SERIES and IMAGE levels.
    status, rsps = findscu(port, ["QueryRetrieveLevel=SERIES", f"StudyInstanceUID={S1}", "SeriesInstanceUID",
                                  "Modality", "NumberOfSeriesRelatedInstances"])
    check(sorted((str(r.SeriesInstanceUID), int(r.NumberOfSeriesRelatedInstances)) for r in rsps) ==
          [(S1 + ".1", 3), (S1 + ".2", 2)], "series level")
    status, rsps = findscu(port, ["QueryRetrieveLevel=IMAGE", f"StudyInstanceUID={S1}",
                                  f"SeriesInstanceUID={S1}.1", "SOPInstanceUID", "InstanceNumber"])
    check(sorted(str(r.SOPInstanceUID) for r in rsps) == [f"{S1}.1.{i}" for i in (1, 2, 3)], "image level")


def test_queries_in_five_character_sets():
    f = shared_fixture()
    port = f.srv.port
    cases = [
        ("ISO_IR 100", "Buc^Jérôme", "latin-1", "chrFren.dcm"),
        ("ISO_IR 144", "Люкceмбypг", "iso8859-5", "chrRuss.dcm"),
        ("ISO_IR 126", "Διονυσιος", "iso8859-7", "chrGreek.dcm"),
        ("\\ISO 2022 IR 87", "山田^太郎", "iso2022_jp", "chrH31.dcm"),
        ("GB18030", "王^小东", "gb18030", "chrX2.dcm"),
    ]
    for charset, name, codec, source in cases:
        expected = {str(pydicom.dcmread(os.path.join(PYDICOM_DATA, "charset_files", source)).StudyInstanceUID)}
        if source == "chrH31.dcm":  # chrH32 carries the same ideographic name
            expected.add(str(pydicom.dcmread(os.path.join(PYDICOM_DATA, "charset_files",
                                                          "chrH32.dcm")).StudyInstanceUID))
        status, rsps = findscu(port, [b"QueryRetrieveLevel=STUDY", b"StudyInstanceUID",
                                      b"SpecificCharacterSet=" + charset.encode(),
                                      b"PatientName=" + name.encode(codec)])
        got = {str(r.StudyInstanceUID) for r in rsps}
        check(status == "Success" and got == expected, f"{charset} {name}: {status} {got} != {expected}")
        # The whole name, every component group, as the stored file has it (decoded by pydicom).
        names = {str(d.StudyInstanceUID): str(d.PatientName) for d in
                 (pydicom.dcmread(os.path.join(PYDICOM_DATA, "charset_files", n)) for n in
                  ("chrFren.dcm", "chrRuss.dcm", "chrGreek.dcm", "chrH31.dcm", "chrH32.dcm", "chrX2.dcm"))}
        for r in rsps:
            check(str(r.PatientName) == names[str(r.StudyInstanceUID)],
                  f"{charset}: response name {str(r.PatientName)!r}, stored {names[str(r.StudyInstanceUID)]!r}")


def test_cancel_and_bad_queries():
    f = shared_fixture()
    port = f.srv.port
    # C-CANCEL right behind the request: the search stops with FE00 before all 200 matches.
    a = RawAssociation(port, contexts=[(1, STUDY_FIND, [IMPLICIT_LE])])
    ident = mr_identifier("IMAGE", BIG)
    a.send_raw(p_data(1, c_find_rq(STUDY_FIND, 7), True) + p_data(1, ident, False) +
               p_data(1, c_cancel_rq(7), True))
    pending, st = read_until_final(a)
    a.release()
    check(st == 0xFE00, f"C-CANCEL: final status {st:#06x}")
    check(pending < 200, f"{pending} pending responses despite the cancel")
    # findscu's own --cancel: a final status either way, and the server keeps serving.
    status, rsps = findscu(port, ["QueryRetrieveLevel=IMAGE", f"StudyInstanceUID={BIG}", "SOPInstanceUID"],
                           extra=["--cancel", "1"])
    check(status in ("Success", "Cancel: MatchingTerminatedDueToCancelRequest"), f"findscu --cancel: {status}")
    for keys, want in [
        (["QueryRetrieveLevel=FOO", "PatientName"], "DataSetDoesNotMatchSOPClass"),
        (["QueryRetrieveLevel=STUDY", "SOPInstanceUID=1.2.3"], "DataSetDoesNotMatchSOPClass"),
        (["PatientName=Smith*"], "DataSetDoesNotMatchSOPClass"),  # no level at all
    ]:
        status, _ = findscu(port, keys)
        check(want in status, f"{keys}: {status}")
    status, _ = findscu(port, ["QueryRetrieveLevel=PATIENT", "PatientName"], root="-S")
    check("DataSetDoesNotMatchSOPClass" in status, f"PATIENT level in study root: {status}")
    check(studies(port, "AccessionNumber=ACC1") == {S1}, "server stopped answering after bad queries")


def test_move_and_get_with_dcmtk():
    f = shared_fixture()
    port = f.srv.port
    with f.scp:
        p = run(["movescu", "-S", "-aec", "ATRIUM", "-aem", "STORESCP", "-k", "QueryRetrieveLevel=STUDY",
                 "-k", f"StudyInstanceUID={S1}", "127.0.0.1", str(port)])
    out = (p.stdout + p.stderr).decode()
    moved = sorted(os.listdir(f.scp.out_dir))
    check(p.returncode == 0 and len(moved) == 5, f"move: rc {p.returncode}, {len(moved)} files\n{out[-800:]}")
    src = {os.path.basename(x)[:-4]: x for x in f.files}
    for name in moved:
        uid = name.split(".", 1)[1]
        check(split_part10(os.path.join(f.scp.out_dir, name))[2] == split_part10(src[uid])[2],
              f"{uid} moved with different bytes")

    p = run(["movescu", "-S", "-aec", "ATRIUM", "-aem", "NOWHERE", "-k", "QueryRetrieveLevel=STUDY",
             "-k", f"StudyInstanceUID={S1}", "127.0.0.1", str(port)])
    check("MoveDestinationUnknown" in (p.stdout + p.stderr).decode(), "unknown destination not A801")

    got = os.path.join(f.work, "got")
    os.makedirs(got)
    p = run(["getscu", "-S", "-aec", "ATRIUM", "-od", got, "-k", "QueryRetrieveLevel=SERIES",
             "-k", f"StudyInstanceUID={S1}", "-k", f"SeriesInstanceUID={S1}.2", "127.0.0.1", str(port)])
    check(p.returncode == 0 and len(os.listdir(got)) == 2,
          f"get: rc {p.returncode}, files {os.listdir(got)}\n{(p.stdout + p.stderr).decode()[-800:]}")


def test_move_to_implicit_only_destination_arrives_decoded():
    with Fixture() as f:
        compressed = [os.path.join(PYDICOM_DATA, "test_files", n) for n in
                      ("MR_small_RLE.dcm", "MR_small_jpeg_ls_lossless.dcm")]
        run(["dcmsend", "-aec", "ATRIUM", "-nh", "127.0.0.1", str(f.srv.port)] + compressed, check_rc=0)
        before = f.srv.instances()
        before_bytes = {u: open(v[0], "rb").read() for u, v in before.items()}
        out = os.path.join(f.work, "implicit")
        os.makedirs(out)
        scp = subprocess.Popen(["storescp", "-aet", "IMPLICIT", "+xi", "-od", out, str(f.implicit_port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_port(f.implicit_port, scp)
            for src in compressed:
                ds = pydicom.dcmread(src)
                p = run(["movescu", "-S", "-aec", "ATRIUM", "-aem", "IMPLICIT", "-k", "QueryRetrieveLevel=IMAGE",
                         "-k", f"StudyInstanceUID={ds.StudyInstanceUID}",
                         "-k", f"SeriesInstanceUID={ds.SeriesInstanceUID}",
                         "-k", f"SOPInstanceUID={ds.SOPInstanceUID}", "127.0.0.1", str(f.srv.port)])
                check(p.returncode == 0, f"move of {src}: {(p.stdout + p.stderr).decode()[-500:]}\n"
                                         f"{f.srv.log_text()[-1500:]}")
                received = [os.path.join(out, n) for n in os.listdir(out)]
                match = [r for r in received if str(pydicom.dcmread(r).SOPInstanceUID) == str(ds.SOPInstanceUID)]
                check(len(match) == 1, f"{os.path.basename(src)} did not arrive")
                got = pydicom.dcmread(match[0])
                check(got.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2", "not Implicit VR LE")
                # Decoded by DCMTK on the way; compare with DCMTK's own decoding of the original.
                ref = os.path.join(f.work, "ref.dcm")
                run(["dcmdrle" if "RLE" in src else "dcmdjpls", src, ref], check_rc=0)
                check(got.PixelData == pydicom.dcmread(ref).PixelData, f"{os.path.basename(src)} pixels differ")
                os.remove(match[0])
            # JPEG 2000 (GDCM decodes it; gdcmconv --raw is the reference).
            j2k = os.path.join(PYDICOM_DATA, "test_files", "JPEG2000.dcm")
            run(["dcmsend", "-aec", "ATRIUM", "-nh", "127.0.0.1", str(f.srv.port), j2k], check_rc=0)
            ds = pydicom.dcmread(j2k)
            move = [ATRIUM, "move", f"127.0.0.1:{f.srv.port}", "--called", "ATRIUM", "--dest", "IMPLICIT",
                    "--level", "IMAGE", "-k", f"StudyInstanceUID={ds.StudyInstanceUID}",
                    "-k", f"SeriesInstanceUID={ds.SeriesInstanceUID}", "-k", f"SOPInstanceUID={ds.SOPInstanceUID}"]
            p = run(move)
            check(p.returncode == 0, f"J2K move: {p.stderr.decode()[-400:]}")
            got = [pydicom.dcmread(os.path.join(out, n)) for n in os.listdir(out)]
            got = [g for g in got if str(g.SOPInstanceUID) == str(ds.SOPInstanceUID)]
            check(len(got) == 1 and got[0].file_meta.TransferSyntaxUID == "1.2.840.10008.1.2", "J2K not decoded")
            ref = os.path.join(f.work, "ref-j2k.dcm")
            run(["gdcmconv", "--raw", j2k, ref], check_rc=0)
            check(got[0].PixelData == pydicom.dcmread(ref).PixelData, "J2K pixels differ from gdcmconv's")
            # A stored file gone behind the archive's back: the sub-operation fails and is named.
            os.remove(f.srv.instances()[str(ds.SOPInstanceUID)][0])
            p = run(move)
            err = p.stderr.decode()
            check(p.returncode == 1 and f"failed: {ds.SOPInstanceUID}" in err and "0xa702" in err,
                  f"missing file: rc {p.returncode} {err[-400:]}")
        finally:
            scp.terminate()
            scp.wait(timeout=10)
        # Transcoding for the destination never touches the stored files.
        after = f.srv.instances()
        check(all(after[u] == before[u] and open(after[u][0], "rb").read() == b for u, b in before_bytes.items()),
              "stored files changed")


def atrium_find_uids(port, called, *keys, level="STUDY", tag="StudyInstanceUID"):
    p = run([ATRIUM, "find", f"127.0.0.1:{port}", "--called", called, "--level", level, "--json", "-k", tag] +
            [x for k in keys for x in ("-k", k)])
    check(p.returncode == 0, f"atrium find {keys}: rc {p.returncode} {p.stderr.decode()}")
    code = pydicom.datadict.tag_for_keyword(tag)
    key = f"{code:08X}"
    return {m[key]["Value"][0] for m in json.loads(p.stdout) if "Value" in m.get(key, {})}


def check_atrium_client_against(port, called, case_sensitive, work, moved_dir, scp):
    smith = {S1, S2} if case_sensitive else {S1, S2, S3}
    check(atrium_find_uids(port, called, "PatientName=Smith*") & {S1, S2, S3, S4} == smith, "find by name")
    check(atrium_find_uids(port, called, "StudyDate=20250112-20250125") == {S2, S3}, "find by date range")
    check(atrium_find_uids(port, called, "AccessionNumber=ACC4") == {S4}, "find by accession")
    check(atrium_find_uids(port, called, f"StudyInstanceUID={S1}", level="SERIES", tag="SeriesInstanceUID") ==
          {S1 + ".1", S1 + ".2"}, "find series")
    p = run([ATRIUM, "find", f"127.0.0.1:{port}", "--called", called, "-k", f"StudyInstanceUID={S1}", "--recursive"])
    check(p.returncode == 0 and p.stdout.decode().count("SOPInstanceUID=") == 5, "recursive find")
    with scp:
        p = run([ATRIUM, "move", f"127.0.0.1:{port}", "--called", called, "--dest", "STORESCP",
                 "-k", f"StudyInstanceUID={S2}"])
    check(p.returncode == 0 and len(os.listdir(moved_dir)) == 2, f"atrium move: {p.stderr.decode()[-500:]}")
    out = os.path.join(work, f"get-{called}")
    p = run([ATRIUM, "get", f"127.0.0.1:{port}", "--called", called, "--out", out, "-k", f"StudyInstanceUID={S1}"])
    check(p.returncode == 0 and sorted(os.listdir(out)) == sorted(f"{S1}.{s}.{i}.dcm" for s, n in ((1, 3), (2, 2))
                                                                   for i in range(1, n + 1)),
          f"atrium get: {p.stderr.decode()[-500:]} {os.listdir(out) if os.path.isdir(out) else ''}")
    p = run([ATRIUM, "move", f"127.0.0.1:{port}", "--called", called, "--dest", "NOWHERE", "-k",
             f"StudyInstanceUID={S2}"])
    check(p.returncode == 1, f"move to an unknown destination exited {p.returncode}")


def test_atrium_client_against_dcmqrscp():
    work = tempdir("dcmqrscp")
    try:
        files, _ = build_corpus(os.path.join(work, "corpus"))
        files = [x for x in files if f"{BIG}." not in x]
        db = os.path.join(work, "db")
        os.makedirs(db)
        scp = StoreScp(os.path.join(work, "moved"))
        port = free_port()
        cfg = os.path.join(work, "dcmqrscp.cfg")
        with open(cfg, "w") as c:
            c.write(f"NetworkTCPPort = {port}\nMaxPDUSize = 16384\nMaxAssociations = 16\n"
                    f"HostTable BEGIN\nstorescp = (STORESCP, 127.0.0.1, {scp.port})\nHostTable END\n"
                    "VendorTable BEGIN\nVendorTable END\n"
                    f"AETable BEGIN\nQRSCP {db} RW (200, 1024mb) ANY\nAETable END\n")
        run(["dcmqridx", db] + files, check_rc=0)
        qr = subprocess.Popen(["dcmqrscp", "-c", cfg],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_port(port, qr)
            check_atrium_client_against(port, "QRSCP", True, work, scp.out_dir, scp)
        finally:
            qr.terminate()
            qr.wait(timeout=10)
    finally:
        cleanup(work)


def test_atrium_client_against_orthanc():
    work = tempdir("orthanc")
    try:
        files, _ = build_corpus(os.path.join(work, "corpus"))
        files = [x for x in files if f"{BIG}." not in x]
        scp = StoreScp(os.path.join(work, "moved"))
        with Orthanc(work, {"storescp": ["STORESCP", "127.0.0.1", scp.port],
                            "atrium": ["ATRIUM", "127.0.0.1", 1]}) as orthanc:
            run(["dcmsend", "-aec", "ORTHANC", "-nh", "127.0.0.1", str(orthanc.port)] + files, check_rc=0,
                timeout=300)
            check_atrium_client_against(orthanc.port, "ORTHANC", False, work, scp.out_dir, scp)
    finally:
        cleanup(work)


if __name__ == "__main__":
    main([test_matching_types_and_levels, test_queries_in_five_character_sets, test_cancel_and_bad_queries,
          test_move_and_get_with_dcmtk, test_move_to_implicit_only_destination_arrives_decoded,
          test_atrium_client_against_dcmqrscp, test_atrium_client_against_orthanc])
