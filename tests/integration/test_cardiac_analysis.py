"""atrium analyze on synthetic short-axis cine phantoms made here: an ellipsoidal LV (bright blood in
a darker myocardial shell, both known per slice and phase) and a crescent RV beside it, 10 slices x
20 phases, 128x128, with noise. The phantom's own pixel counts give the true volumes; the analysis
must find them within stated tolerances, in both slice orders, with one series per slice or one
for all, and with an oblique plane. Also: what it refuses (no MR, a single phase) gets exit 1 and
one line.

The phantom's flat intensities (a wall brighter than the tissue round the heart, blood pools touching
it) are what the classic segmenter was built on, not what MR looks like: the tests that measure
volumes, outlines and SEG frames against the phantom's own pixels use `--segmenter classic` (they
test the stack handling, the arithmetic and the writers, which both segmenters share). The learned
segmenter is measured on real images (test_cardiac_learned.py) and its phantom figures are floors
there."""
import copy
import json
import warnings
import math
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import (ATRIUM, PYDICOM_DATA, AtriumServer, StoreScp, check, cleanup, dataset_uid,  # noqa: E402
                            main, run, skip_unless_shared, tempdir)

sys.path.insert(0, "/usr/lib/python3/dist-packages")
import numpy as np  # noqa: E402
from pydicom.dataset import Dataset, FileMetaDataset  # noqa: E402
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian, generate_uid  # noqa: E402

warnings.filterwarnings("ignore", message="Invalid value for VR")  # the real data's UIDs, on purpose
N, PX, GAP, SLICES, PHASES = 128, 1.5, 8.0, 10, 20
TOL = {"lv_edv_ml": 0.06, "lv_esv_ml": 0.10, "rv_edv_ml": 0.10}


def phantom_labels(s, p):
    """Labels of slice s (0 = base) at phase p: 1 LV blood, 2 myocardium, 3 RV blood."""
    y, x = np.mgrid[0:N, 0:N]
    cx, cy = N / 2 + 4, N / 2
    t = 0.5 - 0.5 * math.cos(2 * math.pi * p / PHASES)  # 0 at ED, 1 at ES (phase 10)
    radius_mm = (26 - 9 * t) * math.sqrt(max(0.0, 1 - (s / (SLICES - 0.5)) ** 2))  # ellipsoid to the apex
    r = np.hypot(x - cx, y - cy) * PX
    lab = np.zeros((N, N), np.uint8)
    if radius_mm < 3:
        return lab
    lab[r <= radius_mm + 8] = 2
    lab[r <= radius_mm] = 1
    if s < SLICES - 3:  # the RV: a crescent wrapped round the septum, shorter than the LV
        epi = radius_mm + 8
        centre_x = cx - (epi * 0.55) / PX
        d = np.hypot(x - centre_x, y - cy) * PX
        lab[(d <= epi + 10 - 5 * t) & (r > epi + 2)] = 3
    return lab


def cine_image(img, study, series, frame, position, orientation, pixel_mm, trigger_ms, implicit=False):
    """One short-axis cine MR image of a phantom: 12-bit pixels, the patient 1.80 m and 80 kg (BSA 2.0)."""
    ds = Dataset()
    ds.SOPClassUID, ds.SOPInstanceUID = "1.2.840.10008.5.1.4.1.1.4", generate_uid()
    ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.PatientName, ds.PatientID, ds.Modality = "Phantom^Cine", "PH1", "MR"
    ds.PatientSize, ds.PatientWeight = "1.80", "80"
    ds.ImagePositionPatient = [float(v) for v in position]
    ds.ImageOrientationPatient = [float(v) for v in orientation]
    ds.PixelSpacing, ds.SliceThickness = [pixel_mm, pixel_mm], GAP
    ds.TriggerTime = trigger_ms
    ds.Rows, ds.Columns = img.shape
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.PixelData = np.clip(img, 0, 4095).astype("<u2").tobytes()
    fm = FileMetaDataset()
    fm.MediaStorageSOPClassUID, fm.MediaStorageSOPInstanceUID = ds.SOPClassUID, ds.SOPInstanceUID
    fm.TransferSyntaxUID = ImplicitVRLittleEndian if implicit else ExplicitVRLittleEndian
    ds.file_meta = fm
    ds.is_little_endian, ds.is_implicit_VR = True, implicit
    return ds


def write_phantom(folder, order=1, per_slice_series=False, oblique=False, implicit=False, seed=1, mirror=False):
    rng = np.random.default_rng(seed)
    os.makedirs(folder)
    study, frame = generate_uid(), generate_uid()
    one_series = generate_uid()
    if oblique:  # rotated 30 degrees about the x axis
        a = math.radians(30)
        row, col = [1, 0, 0], [0, math.cos(a), math.sin(a)]
    else:
        row, col = [1, 0, 0], [0, 1, 0]
    normal = np.cross(row, col)
    truth = {"lv": np.zeros(PHASES), "myo": np.zeros(PHASES), "rv": np.zeros(PHASES)}
    for s in range(SLICES):
        series = generate_uid() if per_slice_series else one_series
        pos = np.array([-N * PX / 2, -N * PX / 2, 0.0]) + normal * (order * s * GAP)
        for p in range(PHASES):
            lab = phantom_labels(s, p)
            if mirror:  # the RV on the LV's other side
                lab = lab[:, ::-1]
            for k, key in ((1, "lv"), (2, "myo"), (3, "rv")):
                truth[key][p] += (lab == k).sum() * PX * PX * GAP / 1000
            img = np.full((N, N), 250.0)
            img[np.hypot(*np.mgrid[-N / 2:N / 2, -N / 2:N / 2]) > N * 0.47] = 20  # air outside the body
            img[lab == 2] = 450
            img[(lab == 1) | (lab == 3)] = 1100
            img += rng.normal(0, 40, img.shape)
            ds = cine_image(img, study, series, frame, pos, row + col, PX, p * 40.0, implicit)
            ds.InstanceNumber = s * PHASES + p + 1
            ds.SliceThickness = 6  # thickness differs from the spacing on purpose
            ds.save_as(os.path.join(folder, f"{s:02d}_{p:02d}.dcm"), write_like_original=False)
    return true_results(truth)


def true_results(truth):
    """What the analysis should report, from a phantom's true per-phase volumes (ml) of "lv", "myo", "rv"."""
    ed, es = int(np.argmax(truth["lv"])), int(np.argmin(truth["lv"]))
    return {"lv_edv_ml": truth["lv"][ed], "lv_esv_ml": truth["lv"][es],
            "lv_ef_pct": 100 * (truth["lv"][ed] - truth["lv"][es]) / truth["lv"][ed],
            "lv_mass_g": truth["myo"][ed] * 1.05, "rv_edv_ml": truth["rv"][ed], "rv_esv_ml": truth["rv"][es],
            "ed_phase": ed, "es_phase": es}


def merge_to_multiframe(folder, out):
    """The same phantom as one multi-frame MR image per slice, frames in time order (no Trigger Time:
    the frames' order is the time order)."""
    import pydicom
    os.makedirs(out)
    for s in range(SLICES):
        frames = [pydicom.dcmread(os.path.join(folder, f"{s:02d}_{p:02d}.dcm")) for p in range(PHASES)]
        ds = frames[0]
        del ds.TriggerTime
        ds.NumberOfFrames = PHASES
        ds.PixelData = b"".join(f.PixelData for f in frames)
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.InstanceNumber = s + 1
        ds.save_as(os.path.join(out, f"slice{s:02d}.dcm"), write_like_original=False)


def merge_to_enhanced_mr(folder, out):
    """The same phantom as one Enhanced MR Image holding the whole cine: geometry and timing only in
    the per-frame functional groups (Plane Position, Cardiac Synchronization), orientation and pixel
    measures shared; frames in shuffled order."""
    import pydicom
    from pydicom.sequence import Sequence
    os.makedirs(out)
    frames = [pydicom.dcmread(os.path.join(folder, f"{s:02d}_{p:02d}.dcm")) for s in range(SLICES)
              for p in range(PHASES)]
    order = np.random.default_rng(7).permutation(len(frames))
    ds = copy.deepcopy(frames[0])
    orientation, spacing = ds.ImageOrientationPatient, ds.PixelSpacing
    for k in ("ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing", "TriggerTime", "SliceThickness"):
        delattr(ds, k)
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.4.1"
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta.MediaStorageSOPClassUID, ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPClassUID, ds.SOPInstanceUID
    ds.NumberOfFrames = len(frames)

    def item(**kw):
        d = Dataset()
        for k, v in kw.items():
            setattr(d, k, v)
        return d
    shared = item(PlaneOrientationSequence=Sequence([item(ImageOrientationPatient=orientation)]),
                  PixelMeasuresSequence=Sequence([item(PixelSpacing=spacing, SliceThickness=6)]))
    ds.SharedFunctionalGroupsSequence = Sequence([shared])
    per_frame, pixels = [], []
    for i in order:
        f = frames[i]
        per_frame.append(item(
            PlanePositionSequence=Sequence([item(ImagePositionPatient=f.ImagePositionPatient)]),
            CardiacSynchronizationSequence=Sequence([item(NominalCardiacTriggerDelayTime=f.TriggerTime)])))
        pixels.append(f.PixelData)
    ds.PerFrameFunctionalGroupsSequence = Sequence(per_frame)
    ds.PixelData = b"".join(pixels)
    ds.save_as(os.path.join(out, "cine.dcm"), write_like_original=False)


def analyze(folder, segmenter="classic"):
    p = run([ATRIUM, "analyze", folder, "--json", "--segmenter", segmenter])
    check(p.returncode == 0, f"analyze {folder}: {p.returncode} {p.stderr.decode()}")
    return json.loads(p.stdout)


def compare(got, want, label):
    for key, tol in TOL.items():
        check(abs(got[key] - want[key]) <= tol * want[key],
              f"{label}: {key} {got[key]} vs true {want[key]:.1f} (tolerance {tol:.0%})")
    check(abs(got["lv_ef_pct"] - want["lv_ef_pct"]) <= 5, f"{label}: EF {got['lv_ef_pct']} vs {want['lv_ef_pct']:.1f}")
    check(abs(got["lv_mass_g"] - want["lv_mass_g"]) <= 0.15 * want["lv_mass_g"],
          f"{label}: mass {got['lv_mass_g']} vs {want['lv_mass_g']:.1f}")
    check(got["ed_phase"] == want["ed_phase"] and abs(got["es_phase"] - want["es_phase"]) <= 1,
          f"{label}: ED/ES phases {got['ed_phase']}/{got['es_phase']} vs {want['ed_phase']}/{want['es_phase']}")
    check(got["slice_spacing_mm"] == GAP, f"{label}: spacing from positions {got['slice_spacing_mm']}")
    check(abs(got.get("bsa_m2", 0) - 2.0) < 0.01, f"{label}: BSA {got.get('bsa_m2')}")


def test_phantom_volumes():
    tmp = tempdir("phantom")
    try:
        for label, kw in [("base to apex", {}), ("apex first, a series per slice", {"order": -1,
                                                                                    "per_slice_series": True}),
                          ("oblique, implicit VR", {"oblique": True, "implicit": True, "seed": 2}),
                          ("mirrored, the RV on the right", {"mirror": True, "seed": 3})]:
            folder = os.path.join(tmp, label.replace(" ", "_").replace(",", ""))
            want = write_phantom(folder, **kw)
            got = analyze(folder)
            if not kw:  # the same stack again as one multi-frame image per slice, and as Enhanced MR
                merged = os.path.join(tmp, "multiframe")
                merge_to_multiframe(folder, merged)
                compare(analyze(merged), want, "multi-frame per slice")
                enhanced = os.path.join(tmp, "enhanced")
                merge_to_enhanced_mr(folder, enhanced)
                got_enhanced = analyze(enhanced)
                compare(got_enhanced, want, "Enhanced MR, one file")
                check(got_enhanced["slices"] == SLICES and got_enhanced["phases"] == PHASES and
                      got_enhanced["trigger_times_ms"] == [p * 40.0 for p in range(PHASES)],
                      f"Enhanced MR: {got_enhanced['slices']} x {got_enhanced['phases']}, "
                      f"times {got_enhanced['trigger_times_ms']}")
            if not kw:  # the text output counts phases from 1, as the PDF and the viewer do
                text = run([ATRIUM, "analyze", folder, "--segmenter", "classic"], check_rc=0).stdout.decode()
                check(f"ED phase {got['ed_phase'] + 1}, ES phase {got['es_phase'] + 1}" in text, f"text: {text}")
            print(label, {k: got[k] for k in ("lv_edv_ml", "lv_esv_ml", "lv_ef_pct", "lv_mass_g", "rv_edv_ml")},
                  {k: round(v, 1) for k, v in want.items()})
            compare(got, want, label)
    finally:
        cleanup(tmp)


def test_dicom_outputs():
    """The RT Structure Set and the SEG: valid under dciodvfy; the three ROIs, each contour on the
    image it was drawn on, the LV outline where the phantom puts it in patient coordinates; the
    coded segments, each SEG frame the phantom's structure on its source image."""
    import pydicom
    tmp = tempdir("phantom-rt")
    try:
        folder = os.path.join(tmp, "oblique")
        write_phantom(folder, oblique=True, seed=3)
        out = os.path.join(tmp, "out")
        p = run([ATRIUM, "analyze", folder, "--out", out, "--json", "--segmenter", "classic"], check_rc=0)
        rt_path = os.path.join(out, "rtstruct.dcm")
        seg_path, pdf_path = os.path.join(out, "seg.dcm"), os.path.join(out, "report.dcm")
        sr_path = os.path.join(out, "measurements.dcm")
        check(json.loads(p.stdout)["outputs"] == [rt_path, seg_path, sr_path, pdf_path],
              f"outputs: {p.stdout[-200:]!r}")
        for path in (rt_path, seg_path, sr_path, pdf_path):
            v = run(["dciodvfy", path])
            errors = [line for line in (v.stdout + v.stderr).decode(errors="replace").splitlines()
                      if line.startswith("Error")]
            check(not errors, f"dciodvfy {os.path.basename(path)}: {errors[:5]}")
        rt = pydicom.dcmread(rt_path)
        check(rt.file_meta.TransferSyntaxUID == ImplicitVRLittleEndian and rt.SpecificCharacterSet == "ISO_IR 100",
              "Implicit VR LE, ISO_IR 100")
        check([r.ROIName for r in rt.StructureSetROISequence] == ["LV blood pool", "LV myocardium", "RV blood pool"],
              "ROI names")
        images = {}
        for name in os.listdir(folder):
            ds = pydicom.dcmread(os.path.join(folder, name), stop_before_pixels=True)
            images[ds.SOPInstanceUID] = (name, ds)
        lv = rt.ROIContourSequence[0]
        checked, errors_mm = 0, []
        for c in lv.ContourSequence:
            name, img = images[c.ContourImageSequence[0].ReferencedSOPInstanceUID]
            s, p_ = int(name[:2]), int(name[3:5])
            pts = np.array(c.ContourData, float).reshape(-1, 3)
            ipp, iop = np.array(img.ImagePositionPatient, float), np.array(img.ImageOrientationPatient, float)
            normal = np.cross(iop[:3], iop[3:])
            check(np.allclose((pts - ipp) @ normal, 0, atol=0.01), f"contour off the plane of {name}")
            centre = ipp + iop[:3] * ((N / 2 + 4) * PX) + iop[3:] * ((N / 2) * PX)
            truth = (phantom_labels(s, p_) == 1).sum() * PX * PX
            r = np.linalg.norm(pts - centre, axis=1)
            if truth > 600:  # a radius worth comparing
                expected = math.sqrt(truth / math.pi)
                # The outline follows the pixels' edges: the polygon's area is the pool's.
                u, v = (pts - ipp) @ iop[:3], (pts - ipp) @ iop[3:]
                area = abs(np.dot(u, np.roll(v, 1)) - np.dot(v, np.roll(u, 1))) / 2
                check(abs(r.mean() - expected) < 1.0 and r.std() < 1.0 and abs(area - truth) < 0.1 * truth,
                      f"{name}: LV outline radius {r.mean():.1f}±{r.std():.1f} mm, area {area:.0f} mm², "
                      f"phantom {expected:.1f} mm, {truth:.0f} mm²")
                errors_mm.append(r.mean() - expected)
                checked += 1
        check(checked >= 100, f"only {checked} LV contours checked")
        print(f"LV outline radius minus the phantom's: mean {np.mean(errors_mm):+.2f} mm over {checked} contours")

        # The measurement report: TID 1500, a group per structure referencing its SEG segment,
        # values with UCUM units equal to the JSON summary.
        sr = pydicom.dcmread(sr_path)
        result = json.loads(p.stdout)
        check(sr.SOPClassUID == "1.2.840.10008.5.1.4.1.1.88.33" and sr.ContentTemplateSequence[0].TemplateIdentifier
              == "1500", "Comprehensive SR, TID 1500")
        found = {}  # (finding site, scheme, code) → (value, unit)

        def walk(items, site=None):
            for it in items:
                name = it.ConceptNameCodeSequence[0]
                if it.ValueType == "CODE" and name.CodeValue == "363698007":  # Finding Site
                    site = it.ConceptCodeSequence[0].CodeMeaning
                if it.ValueType == "NUM":
                    mv = it.MeasuredValueSequence[0]
                    found[(site, name.CodingSchemeDesignator, name.CodeValue)] = (
                        float(mv.NumericValue), mv.MeasurementUnitsCodeSequence[0].CodeValue)
                if "ContentSequence" in it:
                    walk(it.ContentSequence, site)
        walk(sr.ContentSequence)
        # Standard codes (CID 3835 volumes, CID 3833 ejection fractions, LOINC LV mass).
        want = {("Left ventricle", "LN", "8821-1"): (result["lv_edv_ml"], "ml"),
                ("Left ventricle", "LN", "8823-7"): (result["lv_esv_ml"], "ml"),
                ("Left ventricle", "SCT", "90096001"): (result["lv_sv_ml"], "ml"),
                ("Left ventricle", "LN", "8811-2"): (result["lv_ef_pct"], "%"),
                ("Myocardium", "LN", "18087-7"): (result["lv_mass_g"], "g"),
                ("Right ventricle", "LN", "8822-9"): (result["rv_edv_ml"], "ml"),
                ("Right ventricle", "LN", "8824-5"): (result["rv_esv_ml"], "ml"),
                ("Right ventricle", "SCT", "90096001"): (result["rv_sv_ml"], "ml"),
                ("Right ventricle", "LN", "8818-7"): (result["rv_ef_pct"], "%"),
                # 20 phases 40 ms apart: 75 /min; LV cardiac output = SV x rate
                ("Left ventricle", "LN", "8867-4"): (result["heart_rate_bpm"], "/min"),
                ("Left ventricle", "LN", "8741-1"): (result["lv_co_l_min"], "l/min")}
        check(all(found.get(k) == v for k, v in want.items()), f"SR measurements: {found}")
        private = [k for k in found if k[1] == "99ATRIUM" and not k[2].startswith("WT-")]
        check(len(private) == 4, f"only the BSA-indexed values (and regional wall thickness) use Atrium's own codes: "
                                 f"{private}")

        # The report: an Encapsulated PDF with the results.
        doc = pydicom.dcmread(pdf_path)
        pdf = bytes(doc.EncapsulatedDocument[:doc.EncapsulatedDocumentLength])
        result = json.loads(p.stdout)
        check(doc.MIMETypeOfEncapsulatedDocument == "application/pdf" and pdf.startswith(b"%PDF-") and
              pdf.rstrip().endswith(b"%%EOF") and f"{result['lv_ef_pct']:.1f} %".encode() in pdf,
              "PDF report with the LV ejection fraction")

        # SEG: coded segments; each frame's mask is the phantom's structure on its source image.
        sg = pydicom.dcmread(seg_path)
        codes = [(x.SegmentLabel, x.SegmentedPropertyTypeCodeSequence[0].CodeValue,
                  x.SegmentedPropertyTypeCodeSequence[0].CodingSchemeDesignator) for x in sg.SegmentSequence]
        check(codes == [("LV blood pool", "87878005", "SCT"), ("LV myocardium", "74281007", "SCT"),
                        ("RV blood pool", "53085002", "SCT")], f"segments: {codes}")
        bits = np.unpackbits(np.frombuffer(sg.PixelData, np.uint8), bitorder="little")
        dice = []
        for i, fg in enumerate(sg.PerFrameFunctionalGroupsSequence):
            number = fg.SegmentIdentificationSequence[0].ReferencedSegmentNumber
            sop = fg.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID
            name = images[sop][0]
            truth = phantom_labels(int(name[:2]), int(name[3:5])) == number
            mask = bits[i * N * N:(i + 1) * N * N].reshape(N, N).astype(bool)
            if number == 1 and truth.sum() > 300:
                dice.append(2 * (mask & truth).sum() / (mask.sum() + truth.sum()))
        check(len(dice) >= 100 and min(dice) > 0.9, f"SEG LV frames: {len(dice)}, min Dice {min(dice):.3f}")

        # The evaluation command reads both as references (here: our own outputs, so agreement is
        # near perfect; the RT outline follows the pixels' edges, simplified to half a pixel).
        tool = os.path.join(os.path.dirname(__file__), "..", "..", "tools", "cardiac", "evaluate.py")
        e = run(["/usr/bin/python3", tool, "--atrium", ATRIUM, "--segmenter", "classic", "--seg", folder, seg_path,
                 "--rtstruct", folder, rt_path], check_rc=0)
        text = e.stdout.decode()
        import re
        lines = {ln.split(":")[0]: ln for ln in text.splitlines() if ln.endswith("(ours/reference)")}
        seg_dice = [float(x) for x in re.findall(r"Dice ([0-9.]+)", lines.get("seg.dcm", ""))]
        rt_dice = [float(x) for x in re.findall(r"LV blood E[DS] Dice ([0-9.]+)", lines.get("rtstruct.dcm", ""))]
        check(len(seg_dice) == 6 and min(seg_dice) > 0.999 and len(rt_dice) == 2 and min(rt_dice) > 0.99,
              f"evaluate: {text}")
        print("evaluate on our own SEG / RT Structure Set: LV Dice", seg_dice[:1], rt_dice)
    finally:
        cleanup(tmp)


def test_automatic_analysis_in_serve():
    """atrium serve analyses a cine study once no MR image has come for stable_s, stores the outputs
    in the study and forwards them; a study that is not a cine is recorded as skipped."""
    import time
    tmp = tempdir("phantom-serve")
    try:
        folder = os.path.join(tmp, "cine")
        want = write_phantom(folder, seed=4)
        with StoreScp(os.path.join(tmp, "forwarded")) as scp:
            config = {"analysis": {"enabled": True, "stable_s": 2, "segmenter": "classic"},
                      "peers": [{"aet": "STORESCP", "host": "127.0.0.1", "port": scp.port}], "accept_unknown_aets": True,
                      "retry": {"max_attempts": 5, "initial_delay_s": 1, "max_delay_s": 1}}
            with AtriumServer(os.path.join(tmp, "data"), config=config, http=True,
                              extra_args=["--forward", "STORESCP", "--no-auth"]) as srv:
                run([ATRIUM, "send", f"127.0.0.1:{srv.port}", "--called", "ATRIUM", folder,
                     os.path.join(PYDICOM_DATA, "test_files", "MR_small.dcm")], check_rc=0)
                deadline = time.time() + 120
                rows = []
                while time.time() < deadline and len(rows) < 2:
                    time.sleep(0.5)
                    with srv.db() as c:
                        rows = c.execute("SELECT study_uid, state, message, results FROM analyses").fetchall()
                check(len(rows) == 2, f"analyses: {rows}")
                by_state = {r[1]: r for r in rows}
                check(set(by_state) == {"done", "skipped"}, f"states: {[r[:3] for r in rows]}")
                results = json.loads(by_state["done"][3])
                check(abs(results["lv_edv_ml"] - want["lv_edv_ml"]) <= 0.06 * want["lv_edv_ml"],
                      f"EDV {results['lv_edv_ml']} vs {want['lv_edv_ml']:.1f}")
                with srv.db() as c:
                    classes = {r[0] for r in c.execute(
                        "SELECT i.sop_class_uid FROM instances i JOIN series se ON se.pk=i.series_pk JOIN studies st "
                        "ON st.pk=se.study_pk WHERE st.study_uid=?", (by_state["done"][0],))}
                check({"1.2.840.10008.5.1.4.1.1.481.3", "1.2.840.10008.5.1.4.1.1.66.4",
                       "1.2.840.10008.5.1.4.1.1.88.33", "1.2.840.10008.5.1.4.1.1.104.1"} <= classes,
                      f"outputs stored in the study: {classes}")
                # The same study analysed from the data folder by hand gives the same numbers.
                p = run([ATRIUM, "analyze", "--study", by_state["done"][0], "--data", srv.data_dir, "--json",
                         "--segmenter", "classic"],
                        check_rc=0)
                again = json.loads(p.stdout)
                check(again["lv_edv_ml"] == results["lv_edv_ml"] and again["lv_ef_pct"] == results["lv_ef_pct"],
                      f"archived study: {again['lv_edv_ml']} vs {results['lv_edv_ml']}")
                p = run([ATRIUM, "analyze", "--study", "1.2.3.4", "--data", srv.data_dir])
                check(p.returncode == 2 and "no MR image of study 1.2.3.4" in p.stderr.decode(), f"{p.stderr!r}")
                st, body, _ = srv.http("GET", "/api/analyses")
                check(st == 200 and {a["state"] for a in body} == {"done", "skipped"}, f"REST: {st} {body}")
                # Forwarded like any other instance: the 200 images, the MR_small and the 4 outputs.
                forwarded = lambda: len([n for n in os.listdir(scp.out_dir) if not n.endswith(".log")])  # noqa: E731
                while time.time() < deadline and forwarded() < 205:
                    time.sleep(0.5)
                check(forwarded() == 205, f"{forwarded()} instances forwarded, expected 205")
                time.sleep(3)  # the analysis is not redone: its outputs are not MR input
                with srv.db() as c:
                    n = c.execute("SELECT count(*) FROM instances").fetchone()[0]
                check(n == 205, f"{n} instances after waiting: analysis repeated?")
    finally:
        cleanup(tmp)


def shared_case(name):
    """A Sunnybrook case from ../shared, or None (and a 'skipped:' line) where it is absent."""
    return skip_unless_shared(os.path.join("data", "sunnybrook", name))


# Floors a little under what each segmenter measured on the two cases when it last changed (README):
# LV Dice ED, LV Dice ES, myocardium Dice ED, EF mean absolute error (points), |LV mass bias| (g).
# Measured 2026-12-08 (contours read with the origin at the image's corner, evaluate.py): learned
# 0.952 / 0.941 / 0.794, EF error 1.2, mass bias +6.0 g; classic 0.934 / 0.913 / 0.738, 1.5, +24.5 g.
SUNNYBROOK_FLOORS = {"learned": (0.94, 0.93, 0.78, 2.5, 12), "classic": (0.92, 0.90, 0.72, 3.0, 30)}


def test_accuracy_floor_on_sunnybrook():
    """The evaluation tool on the two expert-contoured Sunnybrook cases (another scanner and disease
    than the learned model's training data), for each segmenter: a floor under the accuracy measured
    when it last changed, so that a change that loses accuracy on real images fails here."""
    tool = os.path.join(os.path.dirname(__file__), "..", "..", "tools", "cardiac", "evaluate.py")
    args = []
    for name in ("SCD0000101", "SCD0000201"):
        case = shared_case(name)
        if not case:
            return
        args += ["--sunnybrook", case]
    for segmenter, (lv_ed, lv_es, myo, ef, mass) in SUNNYBROOK_FLOORS.items():
        text = run(["/usr/bin/python3", tool, "--atrium", ATRIUM, "--segmenter", segmenter] + args,
                   check_rc=0).stdout.decode()
        mean = text[text.index("mean over cases:"):]
        dice = {k.strip(): float(v) for k, v in re.findall(r"\n  (LV [a-z]+ E[DS]) +Dice ([0-9.]+)", mean)}
        ef_mae = float(re.search(r"LV EF .* mean absolute error ([0-9.]+) %", mean).group(1))
        mass_bias = float(re.search(r"LV mass bias ([-+0-9.]+) g", mean).group(1))
        print(segmenter, mean)
        check(dice.get("LV blood ED", 0) >= lv_ed and dice.get("LV blood ES", 0) >= lv_es and
              dice.get("LV myocardium ED", 0) >= myo and ef_mae <= ef and abs(mass_bias) <= mass,
              f"{segmenter}: accuracy fell: {dice}, EF MAE {ef_mae}, LV mass bias {mass_bias} g")


def components4(mask):
    """Number of 4-connected components of a boolean image."""
    from collections import deque
    seen, n = np.zeros_like(mask, bool), 0
    h, w = mask.shape
    for y, x in zip(*np.nonzero(mask)):
        if seen[y, x]:
            continue
        n += 1
        seen[y, x] = True
        queue = deque([(y, x)])
        while queue:
            cy, cx = queue.popleft()
            for ny, nx in ((cy + 1, cx), (cy - 1, cx), (cy, cx + 1), (cy, cx - 1)):
                if 0 <= ny < h and 0 <= nx < w and mask[ny, nx] and not seen[ny, nx]:
                    seen[ny, nx] = True
                    queue.append((ny, nx))
    return n


def has_holes(mask):
    """Whether background pixels are enclosed by the mask (4-connected flood from outside)."""
    from PIL import Image, ImageDraw
    padded = Image.fromarray(np.pad(mask, 1).astype(np.uint8) * 255).copy()  # fromarray shares a read-only buffer
    ImageDraw.floodfill(padded, (0, 0), 128)
    return bool((np.array(padded) == 0).any())


def test_topology_of_the_labels():
    """On the real cine and on a phantom, every image: one 4-connected component per structure, a
    blood pool without holes (papillary muscles inside it), the myocardium all round the pool (each
    4-neighbour of the pool is pool or myocardium), no myocardium without a pool."""
    from PIL import Image
    tmp = tempdir("topology")
    try:
        phantom = os.path.join(tmp, "phantom")
        write_phantom(phantom, seed=4)
        cases = [("phantom", phantom)]
        if shared_case("SCD0000101"):
            cases.append(("Sunnybrook SCD0000101", os.path.join(shared_case("SCD0000101"), "dicom")))
        for label, images in cases:
            out = os.path.join(tmp, "labels-" + label.split()[0])
            run([ATRIUM, "analyze", images, "--labels", out], check_rc=0)
            problems = []
            for e in json.load(open(os.path.join(out, "index.json"))):
                lab = np.array(Image.open(os.path.join(out, e["file"])))
                lv, myo, rv = lab == 1, lab == 2, lab == 3
                where = f"slice {e['slice']} phase {e['phase']}"
                for name, m in (("LV", lv), ("myocardium", myo), ("RV", rv)):
                    if m.any() and components4(m) != 1:
                        problems.append(f"{where}: {name} in {components4(m)} pieces")
                if lv.any() and has_holes(lv):
                    problems.append(f"{where}: holes in the LV blood pool")
                if myo.any() and not lv.any():
                    problems.append(f"{where}: myocardium without a blood pool")
                ring = np.zeros_like(lv)
                ring[1:] |= lv[:-1]
                ring[:-1] |= lv[1:]
                ring[:, 1:] |= lv[:, :-1]
                ring[:, :-1] |= lv[:, 1:]
                if (ring & ~lv & ~myo).any():
                    problems.append(f"{where}: the pool touches something other than its wall")
            check(not problems, f"{label}: {problems[:5]} ({len(problems)} in all)")
    finally:
        cleanup(tmp)


def test_real_cine_with_invalid_uids():
    """A real short-axis cine (Sunnybrook, shared data) whose UIDs have leading zeros and whose dates
    are 00000000: every output is written, references the source UIDs exactly, and dciodvfy finds
    nothing wrong beyond those source values."""
    import pydicom
    case = shared_case("SCD0000101")
    if not case:
        return
    tmp = tempdir("real-cine")
    try:
        p = run([ATRIUM, "analyze", os.path.join(case, "dicom"), "--out", tmp, "--json"], check_rc=0)
        result = json.loads(p.stdout)
        check(len(result["outputs"]) == 4 and result["slices"] == 12 and result["phases"] == 20, f"{result}")
        for path in result["outputs"]:
            v = run(["dciodvfy", path])
            errors = [ln for ln in (v.stdout + v.stderr).decode(errors="replace").splitlines()
                      if ln.startswith("Error") and "Leading zeroes" not in ln and "invalid data values" not in ln]
            check(not errors, f"dciodvfy {os.path.basename(path)}: {errors[:5]}")
        source = pydicom.dcmread(os.path.join(case, "dicom", "1.dcm"), stop_before_pixels=True)
        for path in result["outputs"]:
            out = pydicom.dcmread(path, stop_before_pixels=True)
            check(out.StudyInstanceUID == source.StudyInstanceUID, f"{os.path.basename(path)}: study UID changed")
        seg = pydicom.dcmread(os.path.join(tmp, "seg.dcm"), stop_before_pixels=True)
        refs = {str(i.ReferencedSOPInstanceUID) for s in seg.ReferencedSeriesSequence
                for i in s.ReferencedInstanceSequence}
        sources = {str(pydicom.dcmread(os.path.join(case, "dicom", n), stop_before_pixels=True).SOPInstanceUID)
                   for n in os.listdir(os.path.join(case, "dicom"))}
        check(refs == sources, "SEG does not reference the source images as they are")
    finally:
        cleanup(tmp)


def write_nifti(path, volume, affine):
    """A NIfTI-1 file (uint8 labels, sform affine) written here, the format ACDC uses."""
    import gzip
    import struct
    hdr = bytearray(348)
    struct.pack_into("<i", hdr, 0, 348)
    struct.pack_into("<8h", hdr, 40, 3, *volume.shape, 1, 1, 1, 1)
    struct.pack_into("<h", hdr, 70, 2)   # uint8
    struct.pack_into("<h", hdr, 72, 8)   # bits
    struct.pack_into("<8f", hdr, 76, 1, abs(affine[0][0]), abs(affine[1][1]), abs(affine[2][2]), 1, 1, 1, 1)
    struct.pack_into("<f", hdr, 108, 352)
    struct.pack_into("<f", hdr, 112, 1)
    struct.pack_into("<2h", hdr, 252, 0, 1)  # qform none, sform aligned
    struct.pack_into("<12f", hdr, 280, *np.asarray(affine)[:3].ravel())
    hdr[344:348] = b"n+1\0"
    body = bytes(hdr) + b"\0" * 4 + volume.transpose(2, 1, 0).astype(np.uint8).tobytes()
    with gzip.open(path, "wb") as f:
        f.write(body)


def test_montage_of_the_outlines():
    """tools/cardiac/montage.py draws every slice at ED and ES with our outlines in their colours."""
    from PIL import Image
    tmp = tempdir("phantom-montage")
    try:
        folder = os.path.join(tmp, "cine")
        write_phantom(folder, seed=8)
        tool = os.path.join(os.path.dirname(__file__), "..", "..", "tools", "cardiac", "montage.py")
        out = run(["/usr/bin/python3", tool, folder, os.path.join(tmp, "m"), "--atrium", ATRIUM], check_rc=0)
        check(f"phase 1 of {PHASES}, {SLICES} slices" in out.stdout.decode(), out.stdout.decode())
        for name in ("m-ed.png", "m-es.png"):
            px = np.array(Image.open(os.path.join(tmp, name)).convert("RGB")).reshape(-1, 3)
            colours = {tuple(c) for c in np.unique(px, axis=0)}
            check({(255, 0, 0), (0, 255, 0), (0, 100, 255)} <= colours, f"{name}: outline colours missing")
    finally:
        cleanup(tmp)


def test_evaluation_against_nifti():
    """tools/cardiac/evaluate.py with NIfTI label volumes (ACDC labels) at ED and ES made from the
    phantom: the phantom's known masks, so the scores are the analysis's own accuracy."""
    import re
    tmp = tempdir("phantom-nifti")
    try:
        folder = os.path.join(tmp, "cine")
        write_phantom(folder, seed=6)
        # Voxel (i, j, k) = (column, row, slice); DICOM LPS → NIfTI RAS flips x and y.
        affine = [[-PX, 0, 0, N * PX / 2], [0, -PX, 0, N * PX / 2], [0, 0, GAP, 0], [0, 0, 0, 1]]
        acdc = {1: 3, 2: 2, 3: 1}  # ours → ACDC (3 LV, 2 myocardium, 1 RV)
        args = []
        for phase in (0, 10):
            vol = np.zeros((N, N, SLICES), np.uint8)
            for s in range(SLICES):
                lab = phantom_labels(s, phase)
                for ours, theirs in acdc.items():
                    vol[:, :, s][(lab == ours).T] = theirs
            path = os.path.join(tmp, f"labels_{phase}.nii.gz")
            write_nifti(path, vol, affine)
            args += ["--nifti", folder, path, str(phase)]
        tool = os.path.join(os.path.dirname(__file__), "..", "..", "tools", "cardiac", "evaluate.py")
        e = run(["/usr/bin/python3", tool, "--atrium", ATRIUM, "--segmenter", "classic"] + args, check_rc=0)
        text = e.stdout.decode()
        scores = dict(re.findall(r"(LV blood E[DS]|RV blood E[DS]|LV myocardium E[DS]) Dice ([0-9.]+)", text))
        check(len(scores) == 6 and min(float(v) for v in scores.values()) > 0.85, f"NIfTI evaluation: {text}")
        check(float(scores["LV blood ED"]) > 0.95, f"LV at ED: {scores}")
    finally:
        cleanup(tmp)


def test_dicomdir_input():
    """A DICOMDIR (made by DCMTK's dcmmkdir) as the input: the images it lists are analysed."""
    import shutil
    tmp = tempdir("phantom-dicomdir")
    try:
        folder = os.path.join(tmp, "src")
        want = write_phantom(folder, seed=5)
        media = os.path.join(tmp, "media")
        os.makedirs(os.path.join(media, "IMAGES"))
        for i, name in enumerate(sorted(os.listdir(folder))):  # ISO 9660 style names
            shutil.copy(os.path.join(folder, name), os.path.join(media, "IMAGES", f"IM{i:06d}"))
        run(["dcmmkdir", "+I", "+r", "+id", media, "+D", os.path.join(media, "DICOMDIR"), "IMAGES"], check_rc=0)
        got = analyze(os.path.join(media, "DICOMDIR"))
        check(abs(got["lv_edv_ml"] - want["lv_edv_ml"]) <= 0.06 * want["lv_edv_ml"] and got["slices"] == SLICES,
              f"DICOMDIR: {got['lv_edv_ml']} vs {want['lv_edv_ml']:.1f}, {got['slices']} slices")
    finally:
        cleanup(tmp)


def test_refusals():
    tmp = tempdir("phantom-bad")
    try:
        p = run([ATRIUM, "analyze", os.path.join(tmp, "missing")])
        check(p.returncode == 1 and "no such file" in p.stderr.decode(), f"missing: {p.stderr!r}")
        os.makedirs(os.path.join(tmp, "empty"))
        open(os.path.join(tmp, "empty", "x.txt"), "w").write("not dicom")
        p = run([ATRIUM, "analyze", os.path.join(tmp, "empty")])
        err = p.stderr.decode()
        check(p.returncode == 1 and "no MR image" in err, f"no MR: {err!r}")
        one = os.path.join(tmp, "one")
        write_phantom(one)
        for f in os.listdir(one):
            if not f.endswith("_00.dcm"):
                os.remove(os.path.join(one, f))
        p = run([ATRIUM, "analyze", one])
        check(p.returncode == 1 and "single phase" in p.stderr.decode(), f"one phase: {p.stderr!r}")
    finally:
        cleanup(tmp)


if __name__ == "__main__":
    main([test_phantom_volumes, test_dicom_outputs, test_evaluation_against_nifti, test_montage_of_the_outlines,
          test_accuracy_floor_on_sunnybrook,
          test_topology_of_the_labels, test_real_cine_with_invalid_uids,
          test_dicomdir_input,
          test_automatic_analysis_in_serve, test_refusals])
