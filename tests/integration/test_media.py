"""Media and ZIP files: `atrium export` writes a DICOMDIR file-set that dciodvfy and DCMTK accept,
`atrium import` reads media (ours and DCMTK's), plain folders and ZIP files through the one ingest
path, GET /api/studies/{uid}/archive streams a study as a ZIP and POST /api/import takes one back;
each export and import is in the audit trail."""
import glob
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import (ATRIUM, AtriumServer, check, cleanup, corpus_files, main, run, tempdir,  # noqa: E402
                            write_instance)

sys.path.insert(0, "/usr/lib/python3/dist-packages")
import pydicom  # noqa: E402

ADMIN = ("adm", "pw-adm")
VIEWER = ("view", "pw-view")
USERS = ["--user", f"{ADMIN[0]}:{ADMIN[1]}:admin", "--user", f"{VIEWER[0]}:{VIEWER[1]}:viewer"]
EXPLICIT_LE = "1.2.840.10008.1.2.1"
JPEG_LOSSLESS_SV1 = "1.2.840.10008.1.2.4.70"
ROOT = "1.2.826.0.1.3680043.9.7777.16"


def make_corpus(folder):
    """Two patients, three studies, five series: 13 instances; one JPEG lossless, one Implicit VR."""
    os.makedirs(folder, exist_ok=True)
    paths = []
    n = 0
    for p, (pid, name) in enumerate([("MEDIA-1", "Durand^Anne"), ("MEDIA-2", "Okafor^Chidi")]):
        for s in range(2 if p == 0 else 1):
            study = f"{ROOT}.{p}.{s}"
            for se in range(2 if s == 0 else 1):
                for i in range(3 if se == 0 else 2):
                    n += 1
                    paths.append(write_instance(os.path.join(folder, f"f{n:03d}.dcm"), f"{study}.{se}.{i}", study,
                                                f"{study}.{se}", patient_name=name, patient_id=pid,
                                                series_number=se + 1, instance_number=i + 1,
                                                description=f"Study {s}"))
    # One compressed by DCMTK (JPEG lossless), one rewritten in Implicit VR Little Endian.
    run(["dcmcjpeg", "+e1", paths[0], paths[0] + ".jpg"], check_rc=0)
    os.replace(paths[0] + ".jpg", paths[0])
    run(["dcmconv", "+ti", paths[1], paths[1] + ".ivr"], check_rc=0)
    os.replace(paths[1] + ".ivr", paths[1])
    return paths


def run_text(args, timeout=300):
    return run(args, timeout=timeout, text=True)


def storescu(srv, files):
    run(["storescu", "-aec", srv.aet, "-xs", "127.0.0.1", str(srv.port), *files], check_rc=0, timeout=120)


def uid_of(path):
    return str(pydicom.dcmread(path, stop_before_pixels=True).SOPInstanceUID)


def pixels_of(path):
    """The uncompressed pixel bytes (DCMTK's dcmdjpeg for a JPEG file: pydicom has no decoder here)."""
    ds = pydicom.dcmread(path)
    if ds.file_meta.TransferSyntaxUID.is_compressed:
        run(["dcmdjpeg", path, path + ".raw"], check_rc=0)
        ds = pydicom.dcmread(path + ".raw")
        os.remove(path + ".raw")
    return bytes(ds.PixelData)


def dicomdir_files(root):
    """The files a DICOMDIR references, read by pydicom (relative paths, as on the medium)."""
    ds = pydicom.dcmread(os.path.join(root, "DICOMDIR"))
    out = []
    for rec in ds.DirectoryRecordSequence:
        if "ReferencedFileID" in rec:
            fid = rec.ReferencedFileID
            out.append(os.path.join(*(list(fid) if isinstance(fid, pydicom.multival.MultiValue) else [fid])))
    return out


def audit_lines(data_dir, code):
    lines = []
    for f in glob.glob(os.path.join(data_dir, "audit", "*.xml")):
        with open(f, encoding="utf-8") as fh:
            lines += [line for line in fh if f'csd-code="{code}"' in line]
    return lines


def test_export_writes_a_file_set_dciodvfy_and_dcmtk_accept():
    work = tempdir("media-export")
    try:
        corpus = make_corpus(os.path.join(work, "in"))
        data = os.path.join(work, "data")
        with AtriumServer(data) as srv:
            storescu(srv, corpus)
        stored = {uid_of(p): p for p in corpus}
        out = os.path.join(work, "cd")
        r = run_text([ATRIUM, "export", "--data", data, "--patient", "MEDIA-1", "--patient", "MEDIA-2", "--to", out,
                 "--json"])
        check(r.returncode == 0, f"export: {r.returncode} {r.stderr}")
        import json
        report = json.loads(r.stdout)
        check(report["written"] == 13 and report["patients"] == 2 and report["studies"] == 3
              and report["series"] == 5, report)
        check(report["transcoded"] == 1, f"the JPEG file is converted for STD-GEN-CD: {report}")
        check(sorted(os.listdir(out)) == ["DICOM", "DICOMDIR", "README.TXT"], os.listdir(out))
        with open(os.path.join(out, "README.TXT"), encoding="ascii") as f:
            readme = f.read()
        check("2 patient(s), 3 study(ies), 5 series, 13 image(s)" in readme, readme)
        # Every file ID component: at most 8 characters of upper case, digits and underscore (PS3.10 8.2).
        files = dicomdir_files(out)
        check(len(files) == 13, f"{len(files)} files referenced")
        for f in files:
            for part in f.split(os.sep):
                check(re.fullmatch(r"[A-Z0-9_]{1,8}", part), f"file ID component {part!r} of {f}")
        # dciodvfy: the DICOMDIR is a valid Basic Directory, without an error.
        v = run_text(["dciodvfy", os.path.join(out, "DICOMDIR")])
        errors = [line for line in (v.stdout + v.stderr).splitlines() if line.startswith("Error")]
        check("BasicDirectory" in v.stdout + v.stderr and not errors, f"dciodvfy: {errors or v.stderr[-800:]}")
        # DCMTK reads the file-set back: dcmmkdir updates it with the same files (parsing it, checking
        # every file against the profile; +I as ours invents a missing Study ID) without a warning and
        # finds every record already there.
        copy = os.path.join(work, "cd-copy")
        shutil.copytree(out, copy)
        a = run_text(["dcmmkdir", "+U", "+I", "-nb", "+r", "+id", copy, "+D", os.path.join(copy, "DICOMDIR"), "DICOM"])
        check(a.returncode == 0 and not re.search(r"^[WE]:", a.stdout + a.stderr, re.M), f"dcmmkdir +U: {a.stderr}")
        check(sorted(dicomdir_files(copy)) == sorted(files), "DCMTK's update adds no record")
        # pydicom's file-set reader agrees.
        from pydicom.fileset import FileSet
        check(len(FileSet(pydicom.dcmread(os.path.join(out, "DICOMDIR")))) == 13, "pydicom FileSet")
        exported = {}
        for f in files:
            ds = pydicom.dcmread(os.path.join(out, f))
            exported[str(ds.SOPInstanceUID)] = os.path.join(out, f)
            check(str(ds.file_meta.TransferSyntaxUID) == EXPLICIT_LE, f"{f}: {ds.file_meta.TransferSyntaxUID}")
        check(set(exported) == set(stored), "every instance on the medium")
        for uid, src in stored.items():
            check(pixels_of(exported[uid]) == pixels_of(src), f"{uid}: same pixels")
        # Uncompressed Explicit VR files are copied as stored (bit-preserving).
        with AtriumServer(data) as srv:
            inst = srv.instances()
        same = sum(open(exported[u], "rb").read() == open(inst[u][0], "rb").read() for u in exported)
        check(same == 12, f"{same} of the 12 uncompressed files byte-identical to the stored ones")
        # The USB JPEG profile keeps the JPEG lossless file as it is.
        usb = os.path.join(work, "usb")
        r = run_text([ATRIUM, "export", "--data", data, "--study", f"{ROOT}.0.0", "--to", usb, "--profile",
                 "STD-GEN-USB-JPEG"])
        check(r.returncode == 0, r.stderr)
        kept = [pydicom.dcmread(os.path.join(usb, f), stop_before_pixels=True) for f in dicomdir_files(usb)]
        check(len(kept) == 5, len(kept))
        check(sum(str(k.file_meta.TransferSyntaxUID) == JPEG_LOSSLESS_SV1 for k in kept) == 1, "JPEG kept")
        # Export in the audit trail: one Export message per study, naming the study.
        lines = audit_lines(data, "110106")
        check(len(lines) == 4 and f"{ROOT}.0.0" in lines[-1], f"{len(lines)} Export messages")
        # De-identified media: the same layout, pseudonyms instead of the patients, new UIDs.
        anon = os.path.join(work, "anon")
        r = run_text([ATRIUM, "export", "--data", data, "--patient", "MEDIA-1", "--to", anon, "--deidentify", "basic"])
        check(r.returncode == 0, r.stderr)
        deid = [pydicom.dcmread(os.path.join(anon, f)) for f in dicomdir_files(anon)]
        check(len(deid) == 8 and all(str(d.PatientName).startswith("ANON") and d.PatientIdentityRemoved == "YES"
                                     for d in deid), [str(d.PatientName) for d in deid])
        check(not ({str(d.SOPInstanceUID) for d in deid} & set(stored)), "new UIDs on de-identified media")
        with open(os.path.join(anon, "DICOMDIR"), "rb") as f:
            check(b"Durand" not in f.read(), "no name in the DICOMDIR")
        v = run_text(["dciodvfy", os.path.join(anon, "DICOMDIR")])
        check(not [x for x in v.stderr.splitlines() if x.startswith("Error")], v.stderr[-500:])
        # Bad input: unknown study (exit 1, one line), a folder that is not empty, unknown profile.
        r = run_text([ATRIUM, "export", "--data", data, "--study", "1.2.3.4", "--to", os.path.join(work, "x")])
        check(r.returncode == 1 and "no study 1.2.3.4 in the archive" in r.stderr, r.stderr)
        r = run_text([ATRIUM, "export", "--data", data, "--study", f"{ROOT}.0.0", "--to", out])
        check(r.returncode == 1 and "is not empty" in r.stderr, r.stderr)
        r = run_text([ATRIUM, "export", "--data", data, "--study", f"{ROOT}.0.0", "--to", os.path.join(work, "y"),
                 "--profile", "FLOPPY"])
        check(r.returncode == 2 and "unknown --profile" in r.stderr, r.stderr)
    finally:
        cleanup(work)


def fresh_archive(path):
    """An empty data folder with its index (serve started and stopped once)."""
    with AtriumServer(path):
        pass
    return path


def test_import_reads_dcmtk_media_folders_and_zip():
    work = tempdir("media-import")
    try:
        corpus = make_corpus(os.path.join(work, "in"))
        # A medium made by DCMTK: 8-character names, dcmmkdir's DICOMDIR; then mounted in lower case.
        medium = os.path.join(work, "medium")
        os.makedirs(os.path.join(medium, "IMAGES"))
        for i, p in enumerate(corpus):
            shutil.copy(p, os.path.join(medium, "IMAGES", f"IM{i:06d}"))
        run(["dcmmkdir", "+I", "-Nxc", "+r", "+id", medium, "+D", os.path.join(medium, "DICOMDIR"), "IMAGES"], check_rc=0)
        os.rename(os.path.join(medium, "IMAGES"), os.path.join(medium, "images"))
        with open(os.path.join(medium, "README.TXT"), "w") as f:
            f.write("not DICOM\n")
        data = fresh_archive(os.path.join(work, "data"))
        r = run_text([ATRIUM, "import", "--data", data, medium, "--json"])
        check(r.returncode == 0, f"import: {r.returncode} {r.stderr}")
        import json
        rep = json.loads(r.stdout)
        check(rep["stored"] == 13 and rep["failed"] == 0 and len(rep["studies"]) == 3, rep)
        with AtriumServer(data) as srv:
            inst = srv.instances()
            check(len(inst) == 13, len(inst))
            # Imported instances answer C-FIND like stored ones.
            f = run_text(["findscu", "-S", "-aec", "ATRIUM", "127.0.0.1", str(srv.port), "-k", "QueryRetrieveLevel=STUDY",
                     "-k", "PatientID=MEDIA-2", "-k", "StudyInstanceUID"])
            check(f"{ROOT}.1.0" in f.stderr + f.stdout, f.stderr[-600:])
        for p in corpus:
            u = uid_of(p)
            check(open(inst[u][0], "rb").read() == open(p, "rb").read(), f"{u} stored bit-preserving")
        check(len(audit_lines(data, "110107")) == 3, "one Import message per study")
        # Again: all already there. A DICOMDIR naming a file that is missing: named, exit 1.
        os.remove(os.path.join(medium, "images", "IM000003"))
        r = run_text([ATRIUM, "import", "--data", data, os.path.join(medium, "DICOMDIR"), "--json"])
        rep = json.loads(r.stdout)
        check(r.returncode == 1 and rep["duplicates"] == 12 and rep["failed"] == 1, rep)
        check("IMAGES/IM000003, which is not on the medium" in r.stderr, r.stderr)
        # A ZIP of a plain folder (the medium's files and a text file): the DICOM files, the rest skipped.
        z = os.path.join(work, "folder.zip")
        with zipfile.ZipFile(z, "w") as zf:
            for i, p in enumerate(corpus[:4]):
                zf.write(p, f"../../evil/{i}.dcm")  # entry names never become paths
            zf.writestr("notes.txt", "hello")
        data2 = fresh_archive(os.path.join(work, "data2"))
        r = run_text([ATRIUM, "import", "--data", data2, z, "--json"])
        rep = json.loads(r.stdout)
        check(r.returncode == 0 and rep["stored"] == 4 and rep["skipped"] == 1, rep)
        check(not os.path.exists(os.path.join(work, "evil")), "nothing written outside the archive")
        # The server holds the folder: import refuses with one line, exit 2.
        with AtriumServer(data2):
            r = run_text([ATRIUM, "import", "--data", data2, z])
            check(r.returncode == 2 and "is running" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr)
        r = run_text([ATRIUM, "import", "--data", data2, os.path.join(work, "nowhere")])
        check(r.returncode == 1 and "no such file or folder" in r.stderr, r.stderr)
    finally:
        cleanup(work)


def test_import_of_pydicom_corpus():
    work = tempdir("media-corpus")
    try:
        files = corpus_files()
        folder = os.path.join(work, "corpus")
        os.makedirs(folder)
        for p in files:
            shutil.copy(p, folder)
        with open(os.path.join(folder, "README.md"), "w") as f:
            f.write("# not DICOM\n")
        data = fresh_archive(os.path.join(work, "data"))
        r = run_text([ATRIUM, "import", "--data", data, folder, "--json"], timeout=600)
        import json
        rep = json.loads(r.stdout)
        # Several corpus files share SOP Instance UIDs, a few are deliberately damaged: every file is
        # accounted for, the archive stays sound.
        check(rep["stored"] + rep["duplicates"] + rep["failed"] == len(files), (rep["stored"], rep["duplicates"],
                                                                                 rep["failed"], len(files)))
        check(rep["skipped"] == 1 and rep["stored"] >= 40, rep)
        with AtriumServer(data) as srv:
            check(len(srv.instances()) == rep["stored"], "the index holds what was stored")
        check(r.returncode == (1 if rep["failed"] else 0), r.returncode)
        v = run_text([ATRIUM, "verify", "--data", data])
        check(v.returncode == 0, v.stderr)
    finally:
        cleanup(work)


def test_zip_download_and_upload_over_rest():
    work = tempdir("media-rest")
    try:
        corpus = make_corpus(os.path.join(work, "in"))
        with AtriumServer(os.path.join(work, "a"), http=True, extra_args=USERS) as a, \
                AtriumServer(os.path.join(work, "b"), http=True, extra_args=USERS) as b:
            storescu(a, corpus)
            study = f"{ROOT}.0.0"
            st, body, h = a.http("GET", f"/api/studies/{study}/archive", auth=VIEWER, raw=True)
            check(st == 200 and h["Content-Type"] == "application/zip", (st, h))
            check(f'filename="study-{study}.zip"' in h["Content-Disposition"], h["Content-Disposition"])
            zf = zipfile.ZipFile(io.BytesIO(body))
            names = zf.namelist()
            check(len(names) == 5 and all(re.fullmatch(r"PA\d{6}/ST\d{6}/SE\d{6}/IM\d{6}\.dcm", n) for n in names),
                  names)
            inst = a.instances()
            for n in names:
                data = zf.read(n)
                u = str(pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True).SOPInstanceUID)
                check(data == open(inst[u][0], "rb").read(), f"{n}: the stored file as it is")
            # ?media=1: a file-set in the ZIP.
            st, media, h = a.http("GET", f"/api/studies/{study}/archive?media=1", auth=VIEWER, raw=True)
            mz = zipfile.ZipFile(io.BytesIO(media))
            check(st == 200 and mz.namelist()[:2] == ["DICOMDIR", "README.TXT"] and len(mz.namelist()) == 7,
                  mz.namelist())
            st, err, _ = a.http("GET", "/api/studies/1.2.3/archive", auth=VIEWER)
            check(st == 404 and "no study 1.2.3" in err["error"], (st, err))
            check(len(audit_lines(a.data_dir, "110106")) == 2, "two downloads audited")
            # Upload into the second archive: viewers may not, admins may; the file-set's DICOMDIR and
            # README are skipped.
            hz = {"Content-Type": "application/zip"}
            st, _, _ = b.http("POST", "/api/import", body=media, auth=VIEWER, headers=hz)
            check(st == 403, st)
            st, rep, _ = b.http("POST", "/api/import", body=media, auth=ADMIN, headers=hz)
            check(st == 200 and rep["stored"] == 5 and rep["skipped"] == 2 and rep["studies"][0]["instances"] == 5,
                  (st, rep))
            check(len(b.instances()) == 5, "stored in the second archive")
            one = corpus[6]
            st, rep, _ = b.http("POST", "/api/import?name=one.dcm", body=open(one, "rb").read(), auth=ADMIN,
                                headers={"Content-Type": "application/dicom"})
            check(st == 200 and rep["stored"] == 1, (st, rep))
            st, rep, _ = b.http("POST", "/api/import", body=b"hello, not a zip", auth=ADMIN, headers=hz)
            check(st == 415 and "neither a ZIP nor a DICOM" in rep["error"], (st, rep))
            # A damaged DICOM file in a ZIP: named in the failures (202), the others stored.
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w") as zw:
                zw.write(corpus[7], "good.dcm")
                zw.writestr("bad.dcm", open(corpus[8], "rb").read()[:300])
            st, rep, _ = b.http("POST", "/api/import", body=buf.getvalue(), auth=ADMIN, headers=hz)
            check(st == 202 and rep["stored"] == 1 and rep["failed"] == 1 and "bad.dcm" in rep["failures"][0],
                  (st, rep))
            check(len(audit_lines(b.data_dir, "110107")) >= 3, "imports audited")
    finally:
        cleanup(work)


if __name__ == "__main__":
    main([test_export_writes_a_file_set_dciodvfy_and_dcmtk_accept, test_import_reads_dcmtk_media_folders_and_zip,
          test_import_of_pydicom_corpus, test_zip_download_and_upload_over_rest])
