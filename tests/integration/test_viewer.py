"""The browser viewer in headless Chromium (Debian's, driven by playwright-core from the viewer's
npm dependencies): a synthetic cardiac cine (2 slices x 8 phases) with an RT Structure Set, a SEG and
two Grayscale Softcopy Presentation States is stored, then tests/viewer/viewer_check.mjs searches the
study, opens it, checks the newest GSPS is applied (window and annotation), the contour is drawn in
red and the segment in green, other/no GSPS can be chosen, a window drag changes the picture, the cine plays, and the tag
browser shows the instance. Screenshots go to a folder printed on failure."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import ATRIUM, AtriumServer, check, cleanup, main, run, tempdir  # noqa: E402
from test_dose import ct_event, dose_sr  # noqa: E402
import test_cardiac_flow as pc  # noqa: E402
import test_cardiac_maps as maps  # noqa: E402

sys.path.insert(0, "/usr/lib/python3/dist-packages")
import pydicom  # noqa: E402
from pydicom.dataset import Dataset, FileMetaDataset  # noqa: E402
from pydicom.sequence import Sequence  # noqa: E402
from pydicom.uid import ExplicitVRLittleEndian, generate_uid  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
VIEWER = os.path.join(ROOT, "viewer")
PATIENT = "Viewer^Cardiac"
P = "1.2.826.0.1.3680043.9.7777.81."


def save(ds, path, sop_class):
    fm = FileMetaDataset()
    fm.MediaStorageSOPClassUID, fm.MediaStorageSOPInstanceUID = sop_class, ds.SOPInstanceUID
    fm.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = fm
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.save_as(path, write_like_original=False)


def make_study(d):
    """Cine images, an RT Structure Set on the last slice's first phase, two GSPS on it too."""
    os.makedirs(d)
    study, series, frame_of_ref = generate_uid(prefix=P), generate_uid(prefix=P), generate_uid(prefix=P)
    paths, target = [], None
    for s, z in enumerate((0.0, 8.0)):
        for phase in range(8):
            ds = Dataset()
            ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.4"
            ds.SOPInstanceUID = generate_uid(prefix=P)
            ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame_of_ref
            ds.PatientName, ds.PatientID, ds.Modality, ds.StudyDate = PATIENT, "VIEW1", "MR", "20260401"
            ds.SeriesNumber, ds.InstanceNumber = 1, s * 8 + phase + 1
            ds.SeriesDescription = "SA cine"
            ds.ImagePositionPatient = [-48, -48, z]
            ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
            ds.PixelSpacing = [1.5, 1.5]
            ds.SliceThickness = 8
            ds.TriggerTime = phase * 40
            ds.Rows = ds.Columns = 64
            ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
            ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
            r2 = (8 + 2 * phase) ** 2
            ds.PixelData = b"".join((1000 if (x - 32) ** 2 + (y - 32) ** 2 < r2 else 100).to_bytes(2, "little")
                                    for y in range(64) for x in range(64))
            p = os.path.join(d, f"img-{s}-{phase}.dcm")
            save(ds, p, ds.SOPClassUID)
            paths.append(p)
            if s == 1 and phase == 0:
                target = ds
    # RT Structure Set: a 40 mm square on the target image.
    rs = Dataset()
    rs.SOPClassUID, rs.SOPInstanceUID = "1.2.840.10008.5.1.4.1.1.481.3", generate_uid(prefix=P)
    rs.StudyInstanceUID, rs.SeriesInstanceUID = study, generate_uid(prefix=P)
    rs.PatientName, rs.PatientID, rs.Modality, rs.SeriesNumber = PATIENT, "VIEW1", "RTSTRUCT", 2
    roi = Dataset()
    roi.ROINumber, roi.ROIName, roi.ReferencedFrameOfReferenceUID = 1, "LV", frame_of_ref
    rs.StructureSetROISequence = Sequence([roi])
    img_ref = Dataset()
    img_ref.ReferencedSOPClassUID, img_ref.ReferencedSOPInstanceUID = target.SOPClassUID, target.SOPInstanceUID
    contour = Dataset()
    contour.ContourImageSequence = Sequence([img_ref])
    contour.ContourGeometricType, contour.NumberOfContourPoints = "CLOSED_PLANAR", 4
    contour.ContourData = [-20, -20, 8, 20, -20, 8, 20, 20, 8, -20, 20, 8]
    rc = Dataset()
    rc.ReferencedROINumber, rc.ROIDisplayColor = 1, [255, 0, 0]
    rc.ContourSequence = Sequence([contour])
    rs.ROIContourSequence = Sequence([rc])
    p = os.path.join(d, "rtstruct.dcm")
    save(rs, p, rs.SOPClassUID)
    paths.append(p)
    # A binary SEG: segment 2 (drawn green by the viewer) as a 12x12 square on the target image.
    sg = Dataset()
    sg.SOPClassUID, sg.SOPInstanceUID = "1.2.840.10008.5.1.4.1.1.66.4", generate_uid(prefix=P)
    sg.StudyInstanceUID, sg.SeriesInstanceUID, sg.FrameOfReferenceUID = study, generate_uid(prefix=P), frame_of_ref
    sg.PatientName, sg.PatientID, sg.Modality, sg.SeriesNumber = PATIENT, "VIEW1", "SEG", 3
    sg.Rows = sg.Columns = 64
    sg.SamplesPerPixel, sg.PhotometricInterpretation = 1, "MONOCHROME2"
    sg.BitsAllocated, sg.BitsStored, sg.HighBit, sg.PixelRepresentation = 1, 1, 0, 0
    sg.NumberOfFrames, sg.SegmentationType = 1, "BINARY"
    segs = []
    for n, label in ((1, "unused"), (2, "Marked region")):
        item = Dataset()
        item.SegmentNumber, item.SegmentLabel = n, label
        segs.append(item)
    sg.SegmentSequence = Sequence(segs)
    fg = Dataset()
    src = Dataset()
    src.ReferencedSOPClassUID, src.ReferencedSOPInstanceUID = target.SOPClassUID, target.SOPInstanceUID
    der = Dataset()
    der.SourceImageSequence = Sequence([src])
    fg.DerivationImageSequence = Sequence([der])
    ident = Dataset()
    ident.ReferencedSegmentNumber = 2
    fg.SegmentIdentificationSequence = Sequence([ident])
    sg.PerFrameFunctionalGroupsSequence = Sequence([fg])
    bits = [1 if 44 <= x < 56 and 44 <= y < 56 else 0 for y in range(64) for x in range(64)]
    sg.PixelData = bytes(sum(bits[i + k] << k for k in range(8)) for i in range(0, len(bits), 8))
    p = os.path.join(d, "seg.dcm")
    save(sg, p, sg.SOPClassUID)
    paths.append(p)
    # Two presentation states made by DCMTK's dcmpsmk, given windows, labels, dates and (the newer
    # one) a polyline annotation.
    target_path = [x for x in paths if x.endswith("img-1-0.dcm")][0]
    for label, center, date, annotate in (("OLDER", 100, "20260101", False), ("NEWEST", 300, "20260402", True)):
        out = os.path.join(d, f"gsps-{label}.dcm")
        run(["dcmpsmk", target_path, out], check_rc=0)
        ps = pydicom.dcmread(out)
        ps.SOPInstanceUID = generate_uid(prefix=P)
        ps.file_meta.MediaStorageSOPInstanceUID = ps.SOPInstanceUID
        ps.SeriesInstanceUID = generate_uid(prefix=P)
        ps.ContentLabel, ps.PresentationCreationDate, ps.PresentationCreationTime = label, date, "120000"
        voi = Dataset()
        voi.WindowCenter, voi.WindowWidth = center, 600
        ps.SoftcopyVOILUTSequence = Sequence([voi])
        if annotate:
            layer = Dataset()
            layer.GraphicLayer, layer.GraphicLayerOrder = "ANNOT", 1
            ps.GraphicLayerSequence = Sequence([layer])
            g = Dataset()
            g.GraphicAnnotationUnits, g.GraphicDimensions, g.NumberOfGraphicPoints = "PIXEL", 2, 3
            g.GraphicData = [5.0, 5.0, 30.0, 5.0, 30.0, 12.0]
            g.GraphicType, g.GraphicFilled = "POLYLINE", "N"
            ann = Dataset()
            ann.GraphicLayer = "ANNOT"
            ann.ReferencedImageSequence = Sequence([img_ref])
            ann.GraphicObjectSequence = Sequence([g])
            ps.GraphicAnnotationSequence = Sequence([ann])
        ps.save_as(out, write_like_original=True)
        paths.append(out)
    return paths


def test_viewer_in_chromium():
    tmp = tempdir("viewer")
    shots = os.path.join(tmp, "screenshots")
    os.makedirs(shots)
    ok = False
    try:
        check(os.path.exists(os.path.join(VIEWER, "dist", "viewer.js")), "viewer not built (make builds it)")
        paths = make_study(os.path.join(tmp, "study"))
        config = {"analysis": {"enabled": True, "stable_s": 1, "segmenter": "classic"},  # a drawn disk, no MR
                  "dose_notification_levels": [{"protocol": "*head*", "dlp_mgycm": 1000}]}
        # Another patient's CT dose reports, for the per-patient dose view (DOSE-1, 1290.75 + 450 mGy.cm).
        paths_dose = [dose_sr(os.path.join(tmp, "head.dcm"), P + "91.1", P + "91", "20261101",
                              [ct_event("Routine Head", 55.2, 980.5, 160), ct_event("Routine Head", 54.8, 310.25, 50)]),
                      dose_sr(os.path.join(tmp, "chest.dcm"), P + "92.1", P + "92", "20261120",
                              [ct_event("Chest CTA", 12.5, 450.0, 350)])]
        with AtriumServer(os.path.join(tmp, "data"), http=True, config=config,
                          extra_args=["--user", "doc:pw:viewer", "--user", "adm:pw:admin"]) as srv:
            # A T1 map of a MOLLI phantom in this study (the Parametric Map and its colour image).
            study_uid = str(pydicom.dcmread(paths[0]).StudyInstanceUID)
            molli = os.path.join(tmp, "molli")
            maps.write_series(molli, maps.molli(maps.T1S), maps.MOLLI_TI, "InversionTime", 5, name=PATIENT,
                              study=study_uid, patient_id="VIEW1")
            run([ATRIUM, "map", molli, "--out", os.path.join(tmp, "maps")], check_rc=0)
            map_files = [os.path.join(tmp, "maps", f) for f in sorted(os.listdir(os.path.join(tmp, "maps")))]
            # A phase-contrast acquisition in this study, for the Flow panel.
            pc.write_acquisition(os.path.join(tmp, "pc"), study=study_uid, patient=(PATIENT, "VIEW1"))
            map_files.append(os.path.join(tmp, "pc"))
            p = run([ATRIUM, "send", f"127.0.0.1:{srv.port}", "--called", "ATRIUM"] + paths + paths_dose + map_files)
            check(p.returncode == 0, f"storing the study: {p.stderr.decode()}")
            # The server analyses the cine once it is complete; the viewer shows the results.
            import time
            deadline, state = time.time() + 60, None
            while time.time() < deadline and state is None:
                time.sleep(0.5)
                with srv.db() as c:
                    row = c.execute("SELECT state, message, results FROM analyses").fetchone()
                state = row
            check(state is not None and state[0] == "done", f"analysis of the viewer's study: {state}")
            # The study is a bright disk and nothing else: no RV, which the analysis must say and
            # the viewer must show.
            warnings = json.loads(state[2])["warnings"]
            check(any(w.startswith("no RV found") for w in warnings), f"analysis warnings: {warnings}")
            # A scanner's performed procedure step, which the study list shows.
            mpps = os.path.join(tmp, "mpps.json")
            with open(mpps, "w") as f:
                json.dump({"00100020": {"vr": "LO", "Value": ["VIEW-PPS"]},
                           "00400252": {"vr": "CS", "Value": ["IN PROGRESS"]},
                           "00400270": {"vr": "SQ", "Value": [{"00400009": {"vr": "SH", "Value": ["SPS-V1"]}}]}}, f)
            p = run([ATRIUM, "worklist", "mpps-create", f"127.0.0.1:{srv.port}", mpps, "--called", "ATRIUM"])
            check(p.returncode == 0, f"MPPS: {p.stderr.decode()}")
            # The flow measurement stored in the study (admin): its ROI is drawn over the magnitude cine.
            st, stored, _ = srv.http("POST", f"/api/studies/{study_uid}/flow", auth=("adm", "pw"))
            check(st == 201 and stored["stored"] == 3, f"flow results stored: {st} {stored}")
            env = dict(os.environ, ATRIUM_URL=f"http://127.0.0.1:{srv.http_port}", ATRIUM_USER="doc",
                       ATRIUM_PASSWORD="pw", ATRIUM_ADMIN_USER="adm", ATRIUM_ADMIN_PASSWORD="pw", PATIENT=PATIENT,
                       SHOTS=shots, VIEWER_DIR=os.path.abspath(VIEWER),
                       ANALYSIS_WARNINGS=json.dumps(warnings), STUDY_UID=study_uid)
            r = subprocess.run(["node", os.path.join(ROOT, "tests", "viewer", "viewer_check.mjs")], env=env,
                               capture_output=True, timeout=180)
            print(r.stdout.decode(), r.stderr.decode()[-3000:])
            check(r.returncode == 0, f"viewer checks failed; screenshots in {shots}")
            ok = True
    finally:
        if ok:
            cleanup(tmp)


def test_viewer_over_https_in_chromium():
    """The viewer served over HTTPS (the TLS certificate and key of the DICOM TLS port): Chromium,
    trusting exactly that certificate's key, loads it, searches, and gets HSTS."""
    import base64
    import hashlib
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from test_tls import Pki
    tmp = tempdir("viewer-https")
    try:
        pki = Pki(os.path.join(tmp, "pki"))
        cert = pki.issue("localhost")
        with open(cert[0], "rb") as f:
            spki = x509.load_pem_x509_certificate(f.read()).public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        paths = make_study(os.path.join(tmp, "study"))
        with AtriumServer(os.path.join(tmp, "data"), http=True, extra_args=["--user", "doc:pw:viewer"],
                          config={"https": True, "tls_cert": cert[0], "tls_key": cert[1]}) as srv:
            p = run([ATRIUM, "send", f"127.0.0.1:{srv.port}", "--called", "ATRIUM"] + paths)
            check(p.returncode == 0, f"storing the study: {p.stderr.decode()}")
            env = dict(os.environ, ATRIUM_URL=f"https://localhost:{srv.http_port}", ATRIUM_USER="doc",
                       ATRIUM_PASSWORD="pw", PATIENT=PATIENT, VIEWER_DIR=os.path.abspath(VIEWER),
                       SPKI=base64.b64encode(hashlib.sha256(spki).digest()).decode())
            r = subprocess.run(["node", os.path.join(ROOT, "tests", "viewer", "https_check.mjs")], env=env,
                               capture_output=True, timeout=120)
            print(r.stdout.decode(), r.stderr.decode()[-2000:])
            check(r.returncode == 0, "the viewer over HTTPS failed its checks")
    finally:
        cleanup(tmp)


if __name__ == "__main__":
    main([test_viewer_in_chromium, test_viewer_over_https_in_chromium])
