"""`atrium map` on phantoms built here (pydicom): MOLLI T1 over 300-1600 ms, T2 from three
T2-prepared images and from a multi-echo series, T2* from an 8-echo gradient echo, ECV from a native
and a post-contrast MOLLI; each region's mean within 3 % of its value at SNR 50. The Parametric Map
holds the values as 32-bit floats in ms (Real World Value Mapping, unit ms) and passes dciodvfy; the
colour image is an RGB Secondary Capture. Bad input (two inversion times, mixed geometry, no MR
image): exit 1, one line, nothing written. With the slice's short-axis contours (an RT Structure Set)
the myocardium's AHA segments get their means, each against the phantom's value for that wall; the
SR holding them passes dciodvfy."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import ATRIUM, check, cleanup, main, run, tempdir  # noqa: E402

sys.path.insert(0, "/usr/lib/python3/dist-packages")
import numpy as np  # noqa: E402
import pydicom  # noqa: E402
from pydicom.dataset import Dataset, FileMetaDataset  # noqa: E402
from pydicom.uid import ExplicitVRLittleEndian, generate_uid  # noqa: E402

N = 96
ROOT = "1.2.826.0.1.3680043.9.7777.18."
MOLLI_TI = [100, 180, 260, 1100, 1180, 1260, 2100, 2180, 3100, 3180, 4100]
# Disks (row, column, radius) and their values: five T1 values over the range.
DISKS = [(24, 24), (24, 72), (48, 48), (72, 24), (72, 72)]
T1S = [300, 650, 950, 1250, 1600]


def disk_masks():
    yy, xx = np.mgrid[0:N, 0:N]
    return [((yy - r) ** 2 + (xx - c) ** 2) <= 10 ** 2 for r, c in DISKS]


def write_series(folder, signals, times, attr, series, name="Map^Phantom", sequence="SR", position=(0, 0, 0),
                 rows=N, study=ROOT + "1", label=None, patient_id="MAP-1"):
    """One image per time; signals(t) -> 2D float array of magnitudes; attr: the DICOM keyword of the time."""
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(series)
    series_uid = generate_uid(prefix=ROOT)
    paths = []
    for i, t in enumerate(times):
        img = signals(t)
        noisy = np.abs(img + rng.normal(0, 1000 / 50, img.shape))  # SNR 50 for a full-signal tissue
        ds = Dataset()
        ds.SOPClassUID, ds.SOPInstanceUID = "1.2.840.10008.5.1.4.1.1.4", generate_uid(prefix=ROOT)
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series_uid, ROOT + "9"
        ds.PatientName, ds.PatientID, ds.Modality, ds.StudyDate = name, patient_id, "MR", "20261201"
        ds.SeriesNumber, ds.InstanceNumber = series, i + 1
        ds.ImageType = ["ORIGINAL", "PRIMARY", "M", "ND"]
        ds.ScanningSequence, ds.Manufacturer = sequence, "ACME"
        setattr(ds, attr, label(t) if label else t)
        if attr != "EchoTime":
            ds.EchoTime = 1.1
        ds.ImagePositionPatient, ds.ImageOrientationPatient = list(position), [1, 0, 0, 0, 1, 0]
        ds.PixelSpacing, ds.SliceThickness = [1.5, 1.5], 6
        ds.Rows, ds.Columns = rows, N
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
        ds.PixelData = np.clip(np.round(noisy[:rows]), 0, 65535).astype("<u2").tobytes()
        fm = FileMetaDataset()
        fm.MediaStorageSOPClassUID, fm.MediaStorageSOPInstanceUID = ds.SOPClassUID, ds.SOPInstanceUID
        fm.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.file_meta = fm
        path = os.path.join(folder, f"im{i:02d}.dcm")
        ds.save_as(path, write_like_original=False)
        paths.append(path)
    return paths


def molli(t1s, a=1000.0, ratio=1.9):
    masks = disk_masks()

    def signals(ti):
        img = np.zeros((N, N))
        for m, t1 in zip(masks, t1s):
            t1star = t1 / (ratio - 1)
            img[m] = np.abs(a - a * ratio * np.exp(-ti / t1star))
        return img
    return signals


def decay(values, a=1000.0, offset=0.0):
    masks = disk_masks()

    def signals(te):
        img = np.zeros((N, N))
        for m, v in zip(masks, values):
            img[m] = a * np.exp(-te / v) + offset
        return img
    return signals


def run_map(*args):
    r = run([ATRIUM, "map", *args, "--json"] + sum((["--roi", f"{r},{c},7"] for r, c in DISKS), []))
    return r, (json.loads(r.stdout) if r.returncode == 0 else None)


def check_rois(result, truths, what):
    got = [x["mean_ms"] for x in result["rois"]]
    for g, t in zip(got, truths):
        check(abs(g - t) / t < 0.03, f"{what}: {[round(x, 1) for x in got]} vs {truths}")
    print(f"  {what}: {[round(x, 1) for x in got]} (truth {truths})")


def test_t1_t2_t2star_maps_on_phantoms():
    work = tempdir("maps")
    try:
        # MOLLI, inversion times in (0018,0082).
        t1 = write_series(os.path.join(work, "molli"), molli(T1S), MOLLI_TI, "InversionTime", 5)
        out = os.path.join(work, "out")
        r, j = run_map(os.path.join(work, "molli"), "--out", out)
        check(r.returncode == 0, r.stderr)
        m = j["maps"][0]
        check(m["kind"] == "T1 (MOLLI)" and m["time_source"] == "(0018,0082) Inversion Time" and m["images"] == 11, m)
        check_rois(m, T1S, "MOLLI T1")
        check(m["mean_r2"] > 0.95, f"fit quality {m['mean_r2']}")
        pm, sc, r2 = m["files"]
        q = pydicom.dcmread(r2)
        r2px = np.frombuffer(q.FloatPixelData, dtype="<f4").reshape(N, N)
        check(r2px[DISKS[2]] > 0.95 and r2px[0, 0] == 0, "R² per pixel: high in tissue, 0 in the background")
        check(q.SharedFunctionalGroupsSequence[0].RealWorldValueMappingSequence[0].LUTLabel == "R2", "R² map labelled")
        v = subprocess.run(["dciodvfy", r2], capture_output=True, text=True)
        check(not [x for x in v.stderr.splitlines() if x.startswith("Error")], "dciodvfy on the R² map")
        ds = pydicom.dcmread(pm)
        check(ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.30" and "FloatPixelData" in ds, "a float Parametric Map")
        px = np.frombuffer(ds.FloatPixelData, dtype="<f4").reshape(N, N)
        check(abs(float(px[DISKS[2]]) - 950) / 950 < 0.1, f"the centre pixel holds T1 in ms: {px[DISKS[2]]}")
        measures = ds.SharedFunctionalGroupsSequence[0].PixelMeasuresSequence[0]
        check(float(measures.SliceThickness) == 6 and [float(x) for x in measures.PixelSpacing] == [1.5, 1.5],
              "the source's slice thickness and pixel spacing")
        rwvm = ds.SharedFunctionalGroupsSequence[0].RealWorldValueMappingSequence[0]
        check(rwvm.MeasurementUnitsCodeSequence[0].CodeValue == "ms", "unit ms")
        check(ds.StudyInstanceUID == ROOT + "1" and ds.SeriesInstanceUID != pydicom.dcmread(t1[0]).SeriesInstanceUID,
              "the source's study, a new series")
        v = subprocess.run(["dciodvfy", pm], capture_output=True, text=True)
        errors = [x for x in v.stderr.splitlines() if x.startswith("Error")]
        check(not errors, f"dciodvfy on the Parametric Map: {errors[:5]}")
        col = pydicom.dcmread(sc)
        check(col.PhotometricInterpretation == "RGB" and col.Columns > N, "an RGB image with a colour bar")
        v = subprocess.run(["dciodvfy", sc], capture_output=True, text=True)
        errors = [x for x in v.stderr.splitlines() if x.startswith("Error")]
        check(not errors, f"dciodvfy on the colour image: {errors[:5]}")
        # Inversion times only in Image Comments (TI 100 ...): the same map.
        write_series(os.path.join(work, "molli-comments"), molli(T1S), MOLLI_TI, "ImageComments", 6,
                     label=lambda t: f"TI {t}")
        r, j = run_map(os.path.join(work, "molli-comments"))
        check(r.returncode == 0 and j["maps"][0]["time_source"] == "Image Comments (TI)", r.stderr)
        check_rois(j["maps"][0], T1S, "MOLLI T1 (times in Image Comments)")
        # T2: three T2 preparations (0, 25, 55 ms, given as echo times) and an 8-echo spin echo.
        t2s = [35, 45, 55, 70, 100]
        write_series(os.path.join(work, "t2prep"), decay(t2s), [0.0, 25.0, 55.0], "EchoTime", 7)
        r, j = run_map(os.path.join(work, "t2prep"), "--kind", "t2")
        check(r.returncode == 0, r.stderr)
        check_rois(j["maps"][0], t2s, "T2 (T2-prepared)")
        write_series(os.path.join(work, "t2me"), decay(t2s), [10.0 * k for k in range(1, 9)], "EchoTime", 8,
                     sequence="SE")
        r, j = run_map(os.path.join(work, "t2me"))
        check(r.returncode == 0 and j["maps"][0]["kind"] == "T2", r.stderr)
        check_rois(j["maps"][0], t2s, "T2 (multi-echo)")
        # T2*: 8 echoes of a gradient echo, iron overload to normal.
        t2stars = [6, 10, 15, 25, 40]
        write_series(os.path.join(work, "t2star"), decay(t2stars), [2.6 + 2.3 * k for k in range(8)], "EchoTime", 9,
                     sequence="GR")
        r, j = run_map(os.path.join(work, "t2star"))
        check(r.returncode == 0 and j["maps"][0]["kind"] == "T2*", r.stderr)
        check_rois(j["maps"][0], t2stars, "T2*")
    finally:
        cleanup(work)


def test_ecv():
    work = tempdir("ecv")
    try:
        # Myocardium-like disks (native 1000, post 450) and one blood disk (native 1600, post 300).
        native = [1000, 1000, 1600, 1000, 1000]
        post = [450, 450, 300, 450, 450]
        write_series(os.path.join(work, "native"), molli(native), MOLLI_TI, "InversionTime", 11)
        write_series(os.path.join(work, "post"), molli(post), MOLLI_TI, "InversionTime", 12)
        r, j = run_map(os.path.join(work, "native"), "--post", os.path.join(work, "post"), "--hematocrit", "0.42")
        check(r.returncode == 0, r.stderr)
        e = j["maps"][0]["ecv"]
        want = (1 - 0.42) * (1 / 450 - 1 / 1000) / (1 / 300 - 1 / 1600) * 100
        myo = [x["mean_pct"] for i, x in enumerate(e["rois"]) if i != 2]
        check(all(abs(x - want) < 1.5 for x in myo), f"ECV {myo} vs {want:.1f} %")
        check(abs(e["blood_post_t1_ms"] - 300) / 300 < 0.03, f"the blood pool found: {e}")
        print(f"  ECV {[round(x, 1) for x in myo]} % (truth {want:.1f} %), blood {e['blood_pixels']} pixels")
        r, _ = run_map(os.path.join(work, "native"), "--post", os.path.join(work, "post"))
        check(r.returncode == 2 and b"--hematocrit" in r.stderr, r.stderr)
    finally:
        cleanup(work)


def ring_phantom():
    """T1 by wall: septal 1000, lateral 1300 ms, +100 in the anterior half (smaller rows); blood 1600."""
    yy, xx = np.mgrid[0:N, 0:N]
    r = np.hypot(yy - 48, xx - 48)
    myo = (r > 10.5) & (r < 15.5)
    t1 = np.where(xx < 48, 1000.0, 1300.0) + np.where(yy < 48, 100.0, 0.0)
    blood = r <= 10.5
    rv = np.hypot(yy - 48, xx - 22) <= 5.5

    def signals(ti):
        img = np.zeros((N, N))
        for mask, value in ((myo, t1), (blood, np.full((N, N), 1600.0)), (rv, np.full((N, N), 1550.0))):
            t1star = value / 0.9
            img[mask] = np.abs(1000 - 1900 * np.exp(-ti / t1star))[mask]
        return img
    return signals


def circle(row, col, radius, n=48):
    pts = []
    for k in range(n):
        a = 2 * np.pi * k / n
        pts += [float((col + radius * np.cos(a)) * 1.5), float((row + radius * np.sin(a)) * 1.5), 0.0]
    return pts


def structure_set(path, image, study):
    from pydicom.sequence import Sequence
    rs = Dataset()
    rs.SOPClassUID, rs.SOPInstanceUID = "1.2.840.10008.5.1.4.1.1.481.3", generate_uid(prefix=ROOT)
    rs.StudyInstanceUID, rs.SeriesInstanceUID = study, generate_uid(prefix=ROOT)
    rs.PatientName, rs.PatientID, rs.Modality = "Map^Phantom", "MAP-1", "RTSTRUCT"
    rois, contours = [], []
    for number, (name, circles) in enumerate((("LV blood pool", [(48, 48, 11)]),
                                              ("LV myocardium", [(48, 48, 15), (48, 48, 11)]),
                                              ("RV blood pool", [(48, 22, 6)])), start=1):
        roi = Dataset()
        roi.ROINumber, roi.ROIName = number, name
        rois.append(roi)
        rc = Dataset()
        rc.ReferencedROINumber = number
        items = []
        for row, col, radius in circles:
            c = Dataset()
            ref = Dataset()
            ref.ReferencedSOPClassUID, ref.ReferencedSOPInstanceUID = image.SOPClassUID, image.SOPInstanceUID
            c.ContourImageSequence = Sequence([ref])
            c.ContourGeometricType = "CLOSED_PLANAR"
            c.ContourData = circle(row, col, radius)
            c.NumberOfContourPoints = len(c.ContourData) // 3
            items.append(c)
        rc.ContourSequence = Sequence(items)
        contours.append(rc)
    rs.StructureSetROISequence, rs.ROIContourSequence = Sequence(rois), Sequence(contours)
    fm = FileMetaDataset()
    fm.MediaStorageSOPClassUID, fm.MediaStorageSOPInstanceUID = rs.SOPClassUID, rs.SOPInstanceUID
    fm.TransferSyntaxUID = ExplicitVRLittleEndian
    rs.file_meta = fm
    rs.save_as(path, write_like_original=False)


def test_aha_segments_from_the_studys_contours():
    work = tempdir("map-aha")
    try:
        files = write_series(os.path.join(work, "molli"), ring_phantom(), MOLLI_TI, "InversionTime", 5)
        rs = os.path.join(work, "rs.dcm")
        structure_set(rs, pydicom.dcmread(files[0]), ROOT + "1")
        out = os.path.join(work, "out")
        r = run([ATRIUM, "map", os.path.join(work, "molli"), "--contours", rs, "--json", "--out", out])
        check(r.returncode == 0, r.stderr)
        myo = json.loads(r.stdout)["maps"][0]["myocardium"]
        got = {s["segment"]: s["mean_ms"] for s in myo["segments"]}
        # One slice: mid. Septum to the left (the RV), anterior up: anteroseptal 1100, inferoseptal
        # 1000, anterior half septal half lateral (1250), inferior 1150, inferolateral 1300,
        # anterolateral 1400.
        want = {8: 1100, 9: 1000, 7: 1250, 10: 1150, 11: 1300, 12: 1400}
        print(f"  {myo['level']} slice, segments {got} (phantom {want})")
        check(myo["level"] == "mid" and set(got) == set(want), myo)
        for k, v in want.items():
            check(abs(got[k] - v) < 45, f"segment {k}: {got[k]} vs {v}")
        sr = os.path.join(out, "maps-sr.dcm")
        v = subprocess.run(["dciodvfy", sr], capture_output=True, text=True)
        errors = [x for x in v.stderr.splitlines() if x.startswith("Error")]
        check(not errors, f"dciodvfy on the SR: {errors[:4]}")
        raw = open(sr, "rb").read()
        check(b"T1 (MOLLI) AHA 9 mid inferoseptal" in raw and b"T1 (MOLLI) myocardium, mid slice" in raw,
              "the SR names the segments")
        # Contours of another plane: no segments, said in the JSON; the map itself still made.
        moved = os.path.join(work, "moved")
        write_series(moved, ring_phantom(), MOLLI_TI, "InversionTime", 6, position=(0, 0, 20))
        r = run([ATRIUM, "map", moved, "--contours", rs, "--json"])
        j = json.loads(r.stdout)["maps"][0]
        check(r.returncode == 0 and "mm from the map's plane" in j["myocardium"]["note"], j)
    finally:
        cleanup(work)


def test_bad_input_writes_nothing():
    work = tempdir("maps-bad")
    try:
        out = os.path.join(work, "out")
        write_series(os.path.join(work, "two"), molli(T1S), [100, 1100], "InversionTime", 5)
        r = run([ATRIUM, "map", os.path.join(work, "two"), "--out", out])
        err = r.stderr.decode()
        check(r.returncode == 1 and "fewer than 3 inversion/saturation times" in err and err.count("\n") == 1, err)
        mixed = os.path.join(work, "mixed")
        write_series(mixed, molli(T1S), MOLLI_TI[:6], "InversionTime", 5)
        write_series(os.path.join(mixed, "b"), molli(T1S), MOLLI_TI[6:], "InversionTime", 6, rows=80)
        r = run([ATRIUM, "map", mixed, "--out", out])
        err = r.stderr.decode()
        check(r.returncode == 1 and "mixed geometry" in err and err.count("\n") == 1, err)
        empty = os.path.join(work, "empty")
        os.makedirs(empty)
        r = run([ATRIUM, "map", empty, "--out", out])
        check(r.returncode == 1 and b"no MR image found" in r.stderr, r.stderr)
        r = run([ATRIUM, "map", empty, "--kind", "t1"])
        check(r.returncode == 2 and b"--kind takes" in r.stderr, r.stderr)
        check(not os.path.exists(out), "nothing written")
    finally:
        cleanup(work)


if __name__ == "__main__":
    main([test_t1_t2_t2star_maps_on_phantoms, test_ecv, test_aha_segments_from_the_studys_contours,
          test_bad_input_writes_nothing])
