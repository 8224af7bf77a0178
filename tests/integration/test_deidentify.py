"""De-identification (PS3.15 Annex E): `atrium deidentify` on pydicom's whole corpus and on our own MR
corpus. Every element of every output, sequences and private blocks included, is searched for the
original identifying values and dates; every attribute an input holds is checked against the action
of Table E.1-1 (src/deid/annex_e_table.cpp, the one transcription of the table); UIDs are replaced
consistently (references still resolve, the same key gives the same UIDs in another run, another key
other ones); no dciodvfy error appears that the input did not have; burned-in text is blanked exactly
where the regions say and refused where none is known; POST /api/studies/{uid}/deidentify makes a new
study in the archive."""
import glob
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import ATRIUM, AtriumServer, check, cleanup, corpus_files, main, run, tempdir  # noqa: E402

sys.path.insert(0, "/usr/lib/python3/dist-packages")
import pydicom  # noqa: E402
from pydicom.dataset import Dataset, FileMetaDataset  # noqa: E402
from pydicom.sequence import Sequence  # noqa: E402
from pydicom.uid import ExplicitVRLittleEndian  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, "..", "..", "src", "deid", "annex_e_table.cpp")
ROOT = "1.2.826.0.1.3680043.9.7777.18"
ADMIN = ("adm", "pw-adm")
ADDED = {0x00120062, 0x00120063, 0x00120064, 0x00280303, 0x00280301}  # what de-identification writes


def table():
    """{tag or ('60xx', element) or '50xx': basic action} from the C++ table (compound → strictest)."""
    with open(TABLE) as f:
        text = f.read()
    body = text[text.index('R"(') + 3:text.index(')";')]
    rules = {}
    for line in body.strip().splitlines():
        fields = line.split()
        tag, basic = fields[0], fields[1]
        act = ("U" if basic == "X/Z/U*" else "D" if "D" in basic else "Z" if "Z" in basic
               else "U" if "U" in basic else basic[0])
        opts = dict(o.split("=") for o in fields[2:])
        rules[tag.upper()] = (act, opts)
    return rules


RULES = table()


def rule(tag):
    t = f"{tag:08X}"
    if t in RULES:
        return RULES[t]
    if t[:2] == "60" and int(t[:4], 16) % 2 == 0 and f"60XX{t[4:]}" in RULES:
        return RULES[f"60XX{t[4:]}"]
    if t[:2] == "50" and int(t[:4], 16) % 2 == 0:
        return RULES["50XX0000"]
    return None


def walk(ds):
    for elem in ds:
        yield elem
        if elem.VR == "SQ":
            for item in elem.value:
                yield from walk(item)


def identifying(ds):
    """What must not survive: name parts, IDs, accession, institution, device, every date."""
    out = set()
    for e in walk(ds):
        if e.tag.is_private or e.VR in ("SQ", "UI") or e.value in (None, "", b""):
            continue
        values = e.value if isinstance(e.value, pydicom.multival.MultiValue) else [e.value]
        if e.VR == "PN":
            for v in values:
                out |= {w for w in re.split(r"[\^= ]", str(v)) if len(w) >= 3}
        elif e.VR in ("DA", "DT"):
            out |= {str(v)[:8] for v in values if re.fullmatch(r"\d{8}", str(v)[:8] or "")}
        elif e.keyword in ("PatientID", "OtherPatientIDs", "AccessionNumber", "InstitutionName",
                           "InstitutionAddress", "StationName", "DeviceSerialNumber", "MedicalRecordLocator"):
            out |= {str(v) for v in values if len(str(v)) >= 4}
    # Words of our own vocabulary are not a leak (an input already called "Anonymized").
    return {w for w in out if w.upper() not in ("ANONYMOUS", "ANONYMIZED", "ANON")}


def leaks(original, output):
    words = identifying(original)
    # An attribute the table does not name is kept as it was (Manufacturer "TOSHIBA_MEC" while an
    # operator was called "TOSHIBA"): that is the standard's choice, not a leak.
    kept = {(e.tag, str(e.value)) for e in walk(original) if e.VR != "SQ"}
    found = []
    for e in walk(output):
        if e.VR in ("SQ", "UI") or e.tag in ADDED or e.value in (None, ""):
            continue
        if rule(int(e.tag)) is None and e.VR not in ("DA", "DT") and (e.tag, str(e.value)) in kept:
            continue
        text = str(e.value) if e.VR not in ("OB", "OW", "UN") else e.value.decode("latin-1", "replace")
        for w in words:
            if w.lower() in text.lower():
                found.append(f"{e.tag} {e.keyword}={text[:60]!r} holds {w!r}")
    return found


def check_actions(original, output, pseudonym_prefix="ANON"):
    """Each top-level attribute of the input treated as the Basic Profile says."""
    problems = []
    out = {e.tag: e for e in output}
    for e in original:
        t = int(e.tag)
        if e.tag.is_private:
            if e.tag in out:
                problems.append(f"private {e.tag} kept")
            continue
        if e.tag.group == 0x0002 or t in ADDED or e.tag.element == 0:
            continue  # the meta header, what de-identification writes, group lengths (DCMTK drops them)
        r = rule(t)
        o = out.get(e.tag)
        if r is None:
            if e.VR in ("DA", "DT"):
                if o is not None and o.value not in (None, ""):
                    problems.append(f"{e.tag} {e.keyword}: an unlisted date kept: {o.value}")
            elif e.VR != "SQ" and (o is None or (o.value != e.value and e.VR != "PN")):
                problems.append(f"{e.tag} {e.keyword}: not in the table, must be kept")
            continue
        act = r[0]
        if act == "X" and o is not None:
            problems.append(f"{e.tag} {e.keyword}: X but present")
        elif act == "Z":
            if o is None:
                problems.append(f"{e.tag} {e.keyword}: Z but absent")
            elif e.keyword in ("PatientID", "PatientName"):
                if not str(o.value).startswith(pseudonym_prefix):
                    problems.append(f"{e.keyword}: not the pseudonym: {o.value}")
            elif o.value not in (None, "", []) and not (e.VR == "SQ" and len(o.value) == 0):
                problems.append(f"{e.tag} {e.keyword}: Z but {o.value!r}")
        elif act == "D":
            if o is None:
                problems.append(f"{e.tag} {e.keyword}: D but absent")
            elif e.VR not in ("SQ",) and e.value not in (None, "") and o.value == e.value and e.VR != "UI":
                problems.append(f"{e.tag} {e.keyword}: D but unchanged")
        elif act == "U" and e.VR == "UI":
            if o is None or (e.value and o.value == e.value):
                problems.append(f"{e.tag} {e.keyword}: U but {o.value if o is not None else 'absent'}")
    return problems


def mr_corpus(folder):
    """Two studies of one patient (MR cine images, a derived image referencing them), every kind of
    identifying attribute, a private block, nested sequences, names in free text."""
    os.makedirs(folder, exist_ok=True)
    paths = []

    def base(sop, study, series, cls="1.2.840.10008.5.1.4.1.1.4", modality="MR", date="20260301"):
        ds = Dataset()
        ds.SpecificCharacterSet = "ISO_IR 192"
        ds.SOPClassUID, ds.SOPInstanceUID = cls, sop
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, study + ".9"
        ds.PatientName, ds.PatientID, ds.PatientBirthDate, ds.PatientSex = "Haddad^Leïla^M", "MRN-771", "19580314", "F"
        ds.PatientAge, ds.PatientWeight = "066Y", 61.5
        ds.OtherPatientIDs = "OLD-4471"
        ds.AccessionNumber, ds.StudyID = "A2026-991", "S77"
        ds.InstitutionName, ds.InstitutionAddress = "Hopital Saint-Luc", "12 rue des Lilas, Lyon"
        ds.ReferringPhysicianName, ds.OperatorsName = "Moreau^Paul", "Tech^Anna"
        ds.StationName, ds.DeviceSerialNumber = "MRSCAN01", "SN-88412"
        ds.Manufacturer, ds.ManufacturerModelName = "ACME", "Magnetom X"
        ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = ds.ContentDate = ds.InstanceCreationDate = date
        ds.StudyTime = ds.SeriesTime = "101500"
        ds.StudyDescription = "Cardiac MR for Leïla Haddad"
        ds.SeriesDescription = "SAX cine MRN-771"
        ds.ImageComments = "follow-up of MRN-771, born 1958-03-14"
        ds.Modality, ds.SeriesNumber, ds.InstanceNumber = modality, 1, 1
        ds.ImageType = ["ORIGINAL", "PRIMARY"]
        ds.PatientPosition = "HFS"
        ds.ImagePositionPatient, ds.ImageOrientationPatient = [0, 0, 0], [1, 0, 0, 0, 1, 0]
        ds.PixelSpacing, ds.SliceThickness = [1.5, 1.5], 8
        ds.Rows, ds.Columns, ds.SamplesPerPixel = 16, 16, 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
        ds.PixelData = bytes(range(256)) * 2
        req = Dataset()
        req.RequestedProcedureID, req.AccessionNumber = "RP-5", "A2026-991"
        req.ScheduledProcedureStepID = "SPS-5"
        ds.RequestAttributesSequence = Sequence([req])
        ds.add_new(0x00090010, "LO", "ACME 1.0")
        ds.add_new(0x00091001, "LO", "Leïla Haddad")
        return ds

    def save(ds, name):
        fm = FileMetaDataset()
        fm.MediaStorageSOPClassUID, fm.MediaStorageSOPInstanceUID = ds.SOPClassUID, ds.SOPInstanceUID
        fm.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.file_meta = fm
        ds.is_little_endian, ds.is_implicit_VR = True, False
        p = os.path.join(folder, name)
        ds.save_as(p, write_like_original=False)
        paths.append(p)

    for s, date in enumerate(["20260301", "20260415"]):
        study = f"{ROOT}.{s}"
        for i in range(3):
            ds = base(f"{study}.1.{i}", study, f"{study}.1", date=date)
            ds.InstanceNumber = i + 1
            save(ds, f"mr{s}{i}.dcm")
    # A derived image referencing the first study's images.
    ds = base(f"{ROOT}.0.2.0", f"{ROOT}.0", f"{ROOT}.0.2", cls="1.2.840.10008.5.1.4.1.1.7", modality="OT")
    ds.ImageType = ["DERIVED", "SECONDARY"]
    refs = []
    for i in range(3):
        r = Dataset()
        r.ReferencedSOPClassUID, r.ReferencedSOPInstanceUID = "1.2.840.10008.5.1.4.1.1.4", f"{ROOT}.0.1.{i}"
        refs.append(r)
    ds.SourceImageSequence = Sequence(refs)
    ds.ConversionType = "WSD"
    save(ds, "derived.dcm")
    return paths


def deidentify(inputs, out, *extra):
    r = run([ATRIUM, "deidentify", *inputs, "--to", out, "--json", *extra], timeout=600)
    return r, json.loads(r.stdout or b"{}")


def outputs(folder):
    return {p: pydicom.dcmread(p) for p in sorted(glob.glob(os.path.join(folder, "*.dcm")))}


def by_original(originals, folder):
    """{original path: output data set}, matched by the Instance Number and the order the tool
    writes (inputs in sorted order); both runs see the same order."""
    outs = outputs(folder)
    new_of = {}
    for o in outs.values():
        new_of.setdefault(str(o.SOPInstanceUID), o)
    return outs, new_of


def test_our_corpus_every_element_and_every_action():
    work = tempdir("deid-ours")
    try:
        corpus = mr_corpus(os.path.join(work, "in"))
        key = os.path.join(work, "project.key")
        with open(key, "w") as f:
            f.write("a project key of the research trial\n")
        out = os.path.join(work, "out")
        r, rep = deidentify([os.path.join(work, "in")], out, "--key-file", key)
        check(r.returncode == 0 and rep["written"] == 7, (r.returncode, rep, r.stderr))
        outs = outputs(out)
        check(len(outs) == 7, len(outs))
        originals = [pydicom.dcmread(p) for p in sorted(corpus)]
        # Pair each output with its input by the de-identified Instance Number and series.
        problems = []
        for o in outs.values():
            check(o.PatientIdentityRemoved == "YES" and o.LongitudinalTemporalInformationModified == "REMOVED", o)
            check([c.CodeValue for c in o.DeidentificationMethodCodeSequence] == ["113100"], "method codes")
            for orig in originals:
                problems += leaks(orig, o)
        check(not problems, f"identifying values left: {problems[:8]}")
        # Actions: the input of each output found through the consistent UID mapping of a rerun
        # with the same key (one file at a time).
        for p in sorted(corpus):
            one = os.path.join(work, "one-" + os.path.basename(p))
            deidentify([p], one, "--key-file", key)
            (o,) = outputs(one).values()
            problems += check_actions(pydicom.dcmread(p), o)
            check(str(o.SOPInstanceUID) in {str(x.SOPInstanceUID) for x in outs.values()},
                  "the same key gives the same UIDs in another run")
        check(not problems, f"actions: {problems[:8]}")
        # One patient, one pseudonym; the studies and series keep their grouping; references resolve.
        check(len({str(o.PatientID) for o in outs.values()}) == 1, "one pseudonym")
        check(len({str(o.StudyInstanceUID) for o in outs.values()}) == 2, "two studies")
        derived = [o for o in outs.values() if o.Modality == "OT"][0]
        images = {str(o.SOPInstanceUID) for o in outs.values() if o.Modality == "MR"}
        refs = {str(r.ReferencedSOPInstanceUID) for r in derived.SourceImageSequence}
        check(len(refs) == 3 and refs <= images, f"references resolve: {refs - images}")
        check(all(str(o.FrameOfReferenceUID) == str(derived.FrameOfReferenceUID)
                  for o in outs.values() if o.StudyInstanceUID == derived.StudyInstanceUID), "frame of reference")
        # Another key: other UIDs and another pseudonym.
        with open(key + "2", "w") as f:
            f.write("another project's key, not ours\n")
        r, _ = deidentify([os.path.join(work, "in")], os.path.join(work, "other"), "--key-file", key + "2")
        other = outputs(os.path.join(work, "other"))
        check(not ({str(o.SOPInstanceUID) for o in other.values()} & {str(o.SOPInstanceUID) for o in outs.values()}),
              "another key, other UIDs")
        # dciodvfy: no error that the input did not have.
        for p in sorted(corpus)[:2]:
            one = outputs(os.path.join(work, "one-" + os.path.basename(p)))
            (op,) = one.keys()
            before = [x for x in run(["dciodvfy", p]).stderr.decode().splitlines() if x.startswith("Error")]
            after = [x for x in run(["dciodvfy", op]).stderr.decode().splitlines() if x.startswith("Error")]
            check(len(after) <= len(before), f"dciodvfy: new errors {set(after) - set(before)}")
        # A dciodvfy-clean MR (dicom3tools' example) stays clean.
        clean = "/usr/share/doc/dicom3tools/examples/0051.dcm"
        check(not [x for x in run(["dciodvfy", clean]).stderr.decode().splitlines() if x.startswith("Error")],
              "the example is clean")
        r, rep = deidentify([clean], os.path.join(work, "clean"))
        (op,) = outputs(os.path.join(work, "clean")).keys()
        errors = [x for x in run(["dciodvfy", op]).stderr.decode().splitlines() if x.startswith("Error")]
        check(rep["written"] == 1 and not errors, f"dciodvfy on the de-identified example: {errors}")
        # Options: modified dates keep the interval between the two studies; clean descriptors keep
        # the descriptions without the name; patient characteristics keep sex, age, weight.
        opt = os.path.join(work, "opt")
        r, rep = deidentify([os.path.join(work, "in")], opt, "--key-file", key, "--option",
                            "retain-long-modified-dates", "--option", "clean-descriptors", "--option",
                            "retain-patient-characteristics")
        check(r.returncode == 0, r.stderr)
        outs2 = list(outputs(opt).values())
        dates = sorted({o.StudyDate for o in outs2})
        from datetime import date
        d = [date(int(x[:4]), int(x[4:6]), int(x[6:])) for x in dates]
        check(len(d) == 2 and (d[1] - d[0]).days == 45 and d[0] < date(2026, 3, 1), f"shifted dates {dates}")
        check(all(o.LongitudinalTemporalInformationModified == "MODIFIED" for o in outs2), "MODIFIED")
        desc = {o.StudyDescription for o in outs2}
        check(desc == {"Cardiac MR for ***** ******"}, desc)  # one asterisk per character
        check(all(o.PatientSex == "F" and o.PatientAge == "066Y" and o.PatientWeight == 61.5 for o in outs2), "kept")
        check({c.CodeValue for c in outs2[0].DeidentificationMethodCodeSequence} ==
              {"113100", "113107", "113105", "113108"}, "option codes")
        problems = [x for o in outs2 for orig in originals for x in leaks(orig, o)
                    if not re.search(r"holds '\d{8}'", x)]  # dates moved, not removed: only words checked
        check(not problems, f"with options: {problems[:5]}")
        # Bad input: an unknown option, a missing key file, a folder that is not empty.
        r = run([ATRIUM, "deidentify", corpus[0], "--to", os.path.join(work, "x"), "--option", "keep-all"])
        check(r.returncode == 2 and b"unknown --option 'keep-all'" in r.stderr, r.stderr)
        r = run([ATRIUM, "deidentify", corpus[0], "--to", os.path.join(work, "x"), "--key-file", "/nonexistent"])
        check(r.returncode == 2 and b"cannot read the key file" in r.stderr, r.stderr)
        r = run([ATRIUM, "deidentify", corpus[0], "--to", out])
        check(r.returncode == 2 and b"is not empty" in r.stderr, r.stderr)
    finally:
        cleanup(work)


def test_pydicom_corpus():
    work = tempdir("deid-corpus")
    try:
        files = corpus_files()
        out = os.path.join(work, "out")
        problems, actions, refused = [], [], []
        # One file per run so that each output is known to come from its input.
        for i, p in enumerate(files):
            one = os.path.join(out, str(i))
            r, rep = deidentify([p], one)
            if rep.get("written") != 1:
                refused.append((os.path.basename(p), (rep.get("failures") or ["?"])[0].split(": ", 1)[-1]))
                continue
            (o,) = outputs(one).values()
            orig = pydicom.dcmread(p)
            problems += [f"{os.path.basename(p)}: {x}" for x in leaks(orig, o)]
            actions += [f"{os.path.basename(p)}: {x}" for x in check_actions(orig, o)]
        print(f"{len(files)} corpus files, {len(files) - len(refused)} de-identified; refused: {refused}")
        check(not problems, f"identifying values left: {problems[:10]}")
        check(not actions, f"actions: {actions[:10]}")
        check(len(files) - len(refused) >= 60, f"{len(refused)} refused")
        reasons = {why for _, why in refused}
        check(all(re.search(r"cannot read|no SOP Instance UID|burned-in|Burned In", why) for why in reasons), reasons)
    finally:
        cleanup(work)


def us_image(path, sop, model, rows=64, cols=80, burned="YES", modality="US", color=False):
    ds = Dataset()
    ds.SOPClassUID, ds.SOPInstanceUID = "1.2.840.10008.5.1.4.1.1.6.1", sop
    ds.StudyInstanceUID, ds.SeriesInstanceUID = sop + ".1", sop + ".2"
    ds.PatientName, ds.PatientID, ds.Modality = "Echo^Patient", "US-1", modality
    ds.Manufacturer, ds.ManufacturerModelName = "ACME", model
    ds.BurnedInAnnotation = burned
    ds.Rows, ds.Columns = rows, cols
    spp = 3 if color else 1
    ds.SamplesPerPixel, ds.PhotometricInterpretation = spp, "RGB" if color else "MONOCHROME2"
    if color:
        ds.PlanarConfiguration = 0
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.PixelData = bytes([200]) * (rows * cols * spp)
    fm = FileMetaDataset()
    fm.MediaStorageSOPClassUID, fm.MediaStorageSOPInstanceUID = ds.SOPClassUID, sop
    fm.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = fm
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.save_as(path, write_like_original=False)
    return path


def test_clean_pixel_data():
    import numpy as np
    work = tempdir("deid-pixels")
    try:
        os.makedirs(os.path.join(work, "in"))
        cfg = os.path.join(work, "regions.json")
        with open(cfg, "w") as f:
            json.dump({"regions": [{"manufacturer": "ACME", "model": "EchoPro", "rows": 64, "columns": 80,
                                    "blank": [[0, 0, 80, 8], [60, 56, 80, 64]]}]}, f)
        a = us_image(os.path.join(work, "in", "a.dcm"), f"{ROOT}.5", "EchoPro", color=True)
        # Ultrasound says NO: with Clean Pixel Data its header band is blanked anyway.
        b = us_image(os.path.join(work, "in", "b.dcm"), f"{ROOT}.6", "OtherScope", burned="NO")
        ct = us_image(os.path.join(work, "ct.dcm"), f"{ROOT}.7", "CT-9", modality="CT")
        r, rep = deidentify([a], os.path.join(work, "o1"))
        check(rep["written"] == 0 and "clean-pixel-data" in rep["failures"][0], rep)
        r, rep = deidentify([a, b], os.path.join(work, "o2"), "--option", "clean-pixel-data", "--pixel-regions", cfg)
        check(r.returncode == 0 and rep["written"] == 2 and rep["pixels_cleaned"] == 2, rep)
        for o in outputs(os.path.join(work, "o2")).values():
            px = o.pixel_array
            expected = np.full(px.shape, 200, dtype=px.dtype)
            if o.ManufacturerModelName == "EchoPro":
                expected[0:8, :] = 0
                expected[56:64, 60:80] = 0
            else:
                expected[0:7, :] = 0  # the built-in ultrasound header band: the top tenth
            check(np.array_equal(px, expected), f"{o.ManufacturerModelName}: blanked exactly the regions")
            check(o.BurnedInAnnotation == "NO" and "113101" in {c.CodeValue for c in o.DeidentificationMethodCodeSequence},
                  "marked clean")
        r, rep = deidentify([ct], os.path.join(work, "o3"), "--option", "clean-pixel-data", "--pixel-regions", cfg)
        check(r.returncode == 1 and rep["written"] == 0 and "no pixel region is configured" in rep["failures"][0], rep)
        check(outputs(os.path.join(work, "o3")) == {}, "nothing written for a refused file")
        bad = os.path.join(work, "bad.json")
        with open(bad, "w") as f:
            f.write('{"regions": [{"blank": [[5, 5, 2, 2]]}]}')
        r = run([ATRIUM, "deidentify", a, "--to", os.path.join(work, "o4"), "--pixel-regions", bad])
        check(r.returncode == 2 and b"x0 < x1" in r.stderr, r.stderr)
    finally:
        cleanup(work)


def test_deidentified_copy_in_the_archive():
    work = tempdir("deid-rest")
    try:
        corpus = mr_corpus(os.path.join(work, "in"))
        with AtriumServer(os.path.join(work, "data"), http=True,
                          extra_args=["--user", f"{ADMIN[0]}:{ADMIN[1]}:admin", "--user", "v:pw:viewer"]) as srv:
            run(["storescu", "-aec", srv.aet, "127.0.0.1", str(srv.port), *corpus], check_rc=0)
            st, r, _ = srv.http("POST", f"/api/studies/{ROOT}.0/deidentify",
                                body={"options": ["retain-long-modified-dates"]}, auth=ADMIN)
            check(st == 201 and r["instances"] == 4 and r["study"].startswith("2.25."), (st, r))
            st, again, _ = srv.http("POST", f"/api/studies/{ROOT}.0/deidentify",
                                    body={"options": ["retain-long-modified-dates"]}, auth=ADMIN)
            check(st == 201 and again["study"] == r["study"], "the archive's key: the same study again")
            with srv.db() as c:
                names = {row[0] for row in c.execute("SELECT name FROM patients")}
                n = c.execute("SELECT count(*) FROM instances").fetchone()[0]
            check(n == 11 and len(names) == 2 and any(x.startswith("ANON") for x in names), (n, names))
            check(srv.http("POST", f"/api/studies/{ROOT}.0/deidentify", body={}, auth=("v", "pw"))[0] == 403, "role")
            st, e, _ = srv.http("POST", f"/api/studies/{ROOT}.0/deidentify", body={"options": ["x"]}, auth=ADMIN)
            check(st == 400 and "unknown option" in e["error"], (st, e))
            check(srv.http("POST", "/api/studies/1.2.3/deidentify", body={}, auth=ADMIN)[0] == 404, "404")
            key = os.path.join(srv.data_dir, "deid.key")
            check(os.stat(key).st_mode & 0o077 == 0, "the key is readable by the archive only")
    finally:
        cleanup(work)


def test_route_forwards_deidentified_copies():
    import time
    work = tempdir("deid-route")
    try:
        corpus = mr_corpus(os.path.join(work, "in"))
        us = us_image(os.path.join(work, "us.dcm"), f"{ROOT}.8", "EchoPro")  # refused: burned-in text
        research = AtriumServer(os.path.join(work, "research"), aet="RESEARCH", config={"accept_unknown_aets": True})
        with research:
            cfg = {"peers": [{"aet": "RESEARCH", "host": "127.0.0.1", "port": research.port}],
                   "accept_unknown_aets": True,
                   "routes": [{"name": "research", "destinations": ["RESEARCH"],
                               "deidentify": {"options": ["retain-long-modified-dates"]}}]}
            with AtriumServer(os.path.join(work, "data"), http=True, config=cfg,
                              extra_args=["--user", f"{ADMIN[0]}:{ADMIN[1]}:admin"]) as srv:
                run(["storescu", "-aec", srv.aet, "127.0.0.1", str(srv.port), *corpus, us], check_rc=0)
                deadline = time.time() + 90
                while time.time() < deadline:
                    jobs = srv.http("GET", "/api/jobs", auth=ADMIN)[1] or []
                    if sum(j["sent"] for j in jobs) >= 7 and any("not de-identified" in j["last_error"] for j in jobs):
                        break
                    time.sleep(0.5)
                sent = sum(j["sent"] for j in jobs)
                errors = " ".join(j["last_error"] for j in jobs)
                check(sent == 7 and "not de-identified: Burned In Annotation is YES" in errors, (jobs, errors))
            got = [pydicom.dcmread(f) for f in glob.glob(os.path.join(research.data_dir, "storage", "**", "*.dcm"),
                                                       recursive=True)]
            check(len(got) == 7, f"the research peer holds {len(got)} instances")
            originals = [pydicom.dcmread(p) for p in corpus]
            check(all(str(g.PatientName).startswith("ANON") and g.PatientIdentityRemoved == "YES" for g in got), "de-id")
            check(not ({str(g.SOPInstanceUID) for g in got} & {str(o.SOPInstanceUID) for o in originals}), "new UIDs")
            problems = [x for g in got for o in originals for x in leaks(o, g) if not re.search(r"'\d{8}'", x)]
            check(not problems, problems[:5])
    finally:
        cleanup(work)


def test_export_uses_the_archives_pixel_regions():
    """`atrium export --deidentify` blanks burned-in text by the data folder's deid-pixel-regions.json,
    as the server's own de-identification does; without a region the image is refused."""
    import numpy as np
    work = tempdir("deid-export")
    try:
        a = us_image(os.path.join(work, "a.dcm"), f"{ROOT}.9", "CT-9", modality="CT")  # no built-in band
        data = os.path.join(work, "data")
        with AtriumServer(data) as srv:
            run(["storescu", "-aec", srv.aet, "127.0.0.1", str(srv.port), a], check_rc=0)
        export = [ATRIUM, "export", "--data", data, "--patient", "US-1", "--deidentify", "basic",
                  "--option", "clean-pixel-data", "--to"]
        r = run(export + [os.path.join(work, "m1")])
        check(r.returncode == 1 and b"not written" in r.stderr, r.stderr)
        with open(os.path.join(data, "deid-pixel-regions.json"), "w") as f:
            json.dump({"regions": [{"manufacturer": "ACME", "model": "CT-9", "blank": [[0, 0, 80, 8]]}]}, f)
        r = run(export + [os.path.join(work, "m2")])
        check(r.returncode == 0, r.stderr)
        files = [os.path.join(dp, f) for dp, _, fs in os.walk(os.path.join(work, "m2", "DICOM")) for f in fs]
        check(len(files) == 1, files)
        px = pydicom.dcmread(files[0]).pixel_array
        expected = np.full(px.shape, 200, dtype=px.dtype)
        expected[0:8, :] = 0
        check(np.array_equal(px, expected), "blanked exactly the archive's region")
    finally:
        cleanup(work)


if __name__ == "__main__":
    main([test_our_corpus_every_element_and_every_action, test_pydicom_corpus, test_clean_pixel_data,
          test_deidentified_copy_in_the_archive, test_route_forwards_deidentified_copies,
          test_export_uses_the_archives_pixel_regions])
