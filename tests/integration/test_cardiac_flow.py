"""`atrium flow` on a phantom built here (pydicom): a through-plane phase-contrast acquisition of 30
phases with two vessels — an 'aorta' with parabolic pulsatile flow whose centre exceeds the VENC
(one aliasing wrap) and a little diastolic backflow, and a 'pulmonary artery' anterior-left of it —
on static tissue with a background phase offset (a plane). Magnitude and phase images in two
series, Siemens style (VENC in the sequence name, 12-bit phase, Rescale Slope 2 / Intercept -4096).
Targets: net flow within 3 %, regurgitant fraction within 2 points, Qp/Qs within 3 %, offset
corrected and the wrap unwrapped. Bad input (no phase image, unknown VENC) is exit 1, one line,
nothing written."""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import ATRIUM, AtriumServer, check, cleanup, main, run, tempdir  # noqa: E402

sys.path.insert(0, "/usr/lib/python3/dist-packages")
import numpy as np  # noqa: E402
import pydicom  # noqa: E402
from pydicom.dataset import Dataset, FileMetaDataset  # noqa: E402
from pydicom.uid import ExplicitVRLittleEndian, generate_uid  # noqa: E402

N, PHASES, DT, VENC, SPACING = 128, 30, 30.0, 100.0, 1.5
ROOT = "1.2.826.0.1.3680043.9.7777.18.2."
AORTA = (64, 48, 10)  # row, column, radius (pixels)
PA = (44, 84, 8)      # anterior (smaller row) and left (larger column) of the aorta


def disk(row, col, radius):
    yy, xx = np.mgrid[0:N, 0:N]
    r2 = ((yy - row) ** 2 + (xx - col) ** 2) / radius ** 2
    return r2 <= 1, r2


def aorta_mean(t):
    if t < 300:
        return 60 * np.sin(np.pi * t / 300)
    if t < 450:
        return -6.0  # regurgitation
    return 0.0


def pa_mean(t):
    return 45 * np.sin(np.pi * t / 330) if t < 330 else 0.0


def velocity_field(t):
    v = np.zeros((N, N))
    for (row, col, radius), mean in ((AORTA, aorta_mean(t)), (PA, pa_mean(t))):
        inside, r2 = disk(row, col, radius)
        v[inside] = 2 * mean * (1 - r2[inside])  # parabolic: the centre twice the mean
    return v


def truth(vessel):
    """Forward, backward (ml) from the same pixel grid the images have."""
    row, col, radius = vessel
    inside, _ = disk(row, col, radius)
    area_cm2 = SPACING * SPACING / 100
    flows = [velocity_field(k * DT)[inside].sum() * area_cm2 for k in range(PHASES)]
    fwd = sum(q for q in flows if q > 0) * DT / 1000
    bwd = -sum(q for q in flows if q < 0) * DT / 1000
    return fwd, bwd


def write_acquisition(folder, venc_in_name=True, with_phase=True, description="flow", study=ROOT + "1",
                      patient=("Flow^Phantom", "FLOW-1")):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(3)
    yy, xx = np.mgrid[0:N, 0:N]
    body = ((yy - 64) / 60.0) ** 2 + ((xx - 64) / 62.0) ** 2 <= 1
    offset = 3 + 0.04 * xx - 0.02 * yy  # the background phase offset (cm/s)
    series_m, series_p = generate_uid(prefix=ROOT), generate_uid(prefix=ROOT)
    kinds = ("M", "P") if with_phase else ("M",)
    for k in range(PHASES):
        t = k * DT
        mag = np.where(body, 300.0, 0.0)
        for row, col, radius in (AORTA, PA):
            mag[disk(row, col, radius)[0]] = 900.0
        mag = np.abs(mag + rng.normal(0, 6, mag.shape))
        v = velocity_field(t) + offset + rng.normal(0, 1.0, mag.shape)
        v = np.where(body, v, rng.uniform(-VENC, VENC, mag.shape))  # air: noise only
        wrapped = (v + VENC) % (2 * VENC) - VENC
        phase_stored = np.clip(np.round((wrapped / VENC * 4096 + 4096) / 2), 0, 4095)
        for kind in kinds:
            ds = Dataset()
            ds.SOPClassUID, ds.SOPInstanceUID = "1.2.840.10008.5.1.4.1.1.4", generate_uid(prefix=ROOT)
            ds.StudyInstanceUID, ds.FrameOfReferenceUID = study, ROOT + "9"
            ds.SeriesInstanceUID = series_m if kind == "M" else series_p
            ds.PatientName, ds.PatientID, ds.Modality, ds.StudyDate = patient[0], patient[1], "MR", "20261201"
            ds.SeriesNumber, ds.InstanceNumber = (20 if kind == "M" else 21), k + 1
            ds.SeriesDescription = description
            ds.ImageType = ["ORIGINAL", "PRIMARY", kind, "ND"]
            ds.Manufacturer = "SIEMENS"
            ds.SequenceName = "*fl2d1r3_v100in" if venc_in_name else "*fl2d1r3"
            ds.TriggerTime, ds.NominalInterval = t, PHASES * DT
            ds.ImagePositionPatient, ds.ImageOrientationPatient = [-96, -96, 40], [1, 0, 0, 0, 1, 0]
            ds.PixelSpacing, ds.SliceThickness = [SPACING, SPACING], 6
            ds.Rows = ds.Columns = N
            ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
            ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
            if kind == "P":
                ds.RescaleSlope, ds.RescaleIntercept, ds.RescaleType = 2, -4096, "US"
                px = phase_stored
            else:
                px = np.clip(np.round(mag), 0, 4095)
            ds.PixelData = px.astype("<u2").tobytes()
            fm = FileMetaDataset()
            fm.MediaStorageSOPClassUID, fm.MediaStorageSOPInstanceUID = ds.SOPClassUID, ds.SOPInstanceUID
            fm.TransferSyntaxUID = ExplicitVRLittleEndian
            ds.file_meta = fm
            ds.save_as(os.path.join(folder, f"{kind}{k:02d}.dcm"), write_like_original=False)


def flow_json(*args):
    r = run([ATRIUM, "flow", *args, "--json"])
    check(r.returncode == 0, r.stderr)
    return json.loads(r.stdout)


def test_two_vessels_found_offset_corrected_and_unwrapped():
    work = tempdir("flow")
    try:
        src = os.path.join(work, "pc")
        write_acquisition(src)
        out = os.path.join(work, "out")
        j = flow_json(src, "--out", out)
        by = {v["name"]: v for v in j["vessels"]}
        check(set(by) == {"aorta", "pulmonary artery"}, f"vessels named {list(by)}")
        ao, pa = by["aorta"], by["pulmonary artery"]
        for name, v, vessel in (("aorta", ao, AORTA), ("pulmonary artery", pa, PA)):
            fwd, bwd = truth(vessel)
            net, rf = fwd - bwd, 100 * bwd / fwd
            print(f"  {name}: net {v['net_volume_ml']} ml (truth {net:.2f}), RF {v['regurgitant_fraction_pct']} % "
                  f"(truth {rf:.2f}), peak {v['peak_velocity_cm_s']} cm/s, unwrapped {v['unwrapped_pixels']}")
            check(abs(v["net_volume_ml"] - net) / net < 0.03, f"{name}: net {v['net_volume_ml']} vs {net:.2f}")
            check(abs(v["regurgitant_fraction_pct"] - rf) < 2, f"{name}: RF {v['regurgitant_fraction_pct']} vs {rf:.2f}")
            check(len(v["flow_ml_s"]) == PHASES and v["venc_cm_s"] == VENC and "sequence name" in v["venc_source"], v)
        check(ao["unwrapped_pixels"] > 0 and ao["peak_velocity_cm_s"] > VENC, "the wrap at peak systole unwrapped")
        check(abs(ao["background_offset_cm_s"] - (3 + 0.04 * 63.5 - 0.02 * 63.5)) < 0.5, ao["background_offset_cm_s"])
        (af, ab), (pf, pb) = truth(AORTA), truth(PA)
        qp_qs = (pf - pb) / (af - ab)
        check(abs(j["qp_qs"] - qp_qs) / qp_qs < 0.03, f"Qp/Qs {j['qp_qs']} vs {qp_qs:.3f}")
        check(abs(ao["heart_rate_bpm"] - 60000 / (PHASES * DT)) < 0.1, ao["heart_rate_bpm"])
        # A seed instead of the search: the same aorta.
        j = flow_json(src, "--seed", f"{AORTA[0]},{AORTA[1]}")
        check(len(j["vessels"]) == 1 and abs(j["vessels"][0]["net_volume_ml"] - ao["net_volume_ml"]) < 0.5, j["vessels"])
        # Outputs: SR, RT Structure Set and PDF in the source's study.
        files = sorted(os.listdir(out)) if os.path.isdir(out) else []
        check(len(files) >= 3, f"outputs {files}")
        for f in files:
            ds = pydicom.dcmread(os.path.join(out, f))
            check(ds.StudyInstanceUID == ROOT + "1", f"{f}: the source's study")
            v = subprocess.run(["dciodvfy", os.path.join(out, f)], capture_output=True, text=True)
            errors = [x for x in v.stderr.splitlines() if x.startswith("Error")]
            check(not errors, f"dciodvfy {f}: {errors[:4]}")
    finally:
        cleanup(work)


def test_bad_input():
    work = tempdir("flow-bad")
    try:
        out = os.path.join(work, "out")
        novenc = os.path.join(work, "novenc")
        write_acquisition(novenc, venc_in_name=False)
        r = run([ATRIUM, "flow", novenc, "--out", out])
        err = r.stderr.decode()
        check(r.returncode == 1 and "unknown VENC" in err and err.count("\n") == 1, err)
        j = flow_json(novenc, "--venc", "100")
        check(len(j["vessels"]) == 2 and j["vessels"][0]["venc_source"] == "--venc", j["vessels"])
        mag = os.path.join(work, "magnitude-only")
        write_acquisition(mag, with_phase=False)
        r = run([ATRIUM, "flow", mag, "--out", out])
        err = r.stderr.decode()
        check(r.returncode == 1 and "no phase image" in err and err.count("\n") == 1, err)
        r = run([ATRIUM, "flow", mag, "--seed", "x"])
        check(r.returncode == 2 and b"--seed takes" in r.stderr, r.stderr)
        check(not os.path.exists(out), "nothing written")
        shutil.rmtree(mag)
    finally:
        cleanup(work)


def test_flow_over_rest():
    """GET /api/studies/{uid}/flow measures (viewer role) in a worker process; POST also stores the
    ROI, SR and PDF in the study (admin); a study without phase images is a 422 that says so."""
    work = tempdir("flow-rest")
    try:
        src = os.path.join(work, "pc")
        write_acquisition(src)
        mag = os.path.join(work, "mag")
        write_acquisition(mag, with_phase=False, study=ROOT + "2")
        cli = flow_json(src)
        users = ["--user", "adm:pw:admin", "--user", "v:pw:viewer"]
        with AtriumServer(os.path.join(work, "data"), http=True, extra_args=users) as srv:
            r = run([ATRIUM, "send", f"127.0.0.1:{srv.port}", "--called", "ATRIUM", src, mag])
            check(r.returncode == 0, r.stderr)
            st, j, _ = srv.http("GET", f"/api/studies/{ROOT}1/flow", auth=("v", "pw"))
            check(st == 200 and [v["net_volume_ml"] for v in j["vessels"]] == [v["net_volume_ml"] for v in cli["vessels"]],
                  (st, j))
            check(srv.http("POST", f"/api/studies/{ROOT}1/flow", auth=("v", "pw"))[0] == 403, "viewer may not store")
            st, j, _ = srv.http("POST", f"/api/studies/{ROOT}1/flow", auth=("adm", "pw"))
            check(st == 201 and j["stored"] == 3, (st, j))
            with srv.db() as c:
                mods = {row[0] for row in c.execute(
                    "SELECT se.modality FROM series se JOIN studies st ON se.study_pk = st.pk WHERE st.study_uid = ?",
                    (ROOT + "1",))}
            check({"RTSTRUCT", "SR", "DOC"} <= mods, f"stored in the study: {mods}")
            st, e, _ = srv.http("GET", f"/api/studies/{ROOT}2/flow", auth=("v", "pw"))
            check(st == 422 and "no phase image" in e["error"], (st, e))
            check(srv.http("GET", "/api/studies/1.2.3/flow", auth=("v", "pw"))[0] == 404, "unknown study")
            check(srv.alive(), "the archive is still up")
    finally:
        cleanup(work)


if __name__ == "__main__":
    main([test_two_vessels_found_offset_corrected_and_unwrapped, test_bad_input, test_flow_over_rest])
