#!/usr/bin/python3
"""Accuracy of `atrium analyze` on ACDC patients (../shared/data/acdc, one .npz per patient):
each patient's ED and ES volumes written as a two-phase short-axis cine in DICOM, analysed by the
real binary, and its labels compared with the experts': Dice of LV blood pool, LV myocardium and RV
blood pool at ED and ES (over the volume), LV and RV ejection fraction errors (the JSON's against
the experts' voxel counts), and LV/RV swaps.

ACDC stores no pixel spacing: the DICOM says --pixel-mm (1.5 by default, the model's own pixel
size; the real ones are 1.3-1.9 mm) and --slice-mm between slices. Volumes in ml therefore mean
nothing here; Dice and EF do not depend on them.

  tools/cardiac/evaluate_acdc.py --atrium build/atrium --validation          # the model card's held-out patients
  tools/cardiac/evaluate_acdc.py --atrium build/atrium patient002 patient013 --segmenter classic
  tools/cardiac/evaluate_acdc.py --all      # all of them, trained-on included: a check, not accuracy
Measure only on patients the model never trained on (the model card lists the held-out ones).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, "/usr/lib/python3/dist-packages")
import numpy as np  # noqa: E402
from pydicom.dataset import Dataset, FileMetaDataset  # noqa: E402
from pydicom.uid import ExplicitVRLittleEndian, generate_uid  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ACDC = {"rv": 1, "myo": 2, "lv": 3}      # the experts' label values
OURS = {"lv": 1, "myo": 2, "rv": 3}      # `atrium analyze --labels`
PHASES = ("ed", "es")


def write_cine(npz, folder, pixel_mm, slice_mm):
    """The patient's ED and ES as phases 0 and 1 of a cine; returns {sop: (slice, phase)}."""
    d = np.load(npz)
    os.makedirs(folder)
    study, series, frame = generate_uid(), generate_uid(), generate_uid()
    where = {}
    for p, phase in enumerate(PHASES):
        vol = d[phase + "_image"]
        for z in range(vol.shape[0]):
            ds = Dataset()
            ds.SOPClassUID, ds.SOPInstanceUID = "1.2.840.10008.5.1.4.1.1.4", generate_uid()
            ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame
            ds.PatientName, ds.PatientID, ds.Modality = "ACDC^" + os.path.basename(npz)[:-4], "ACDC", "MR"
            ds.InstanceNumber = p * 100 + z + 1
            ds.ImagePositionPatient = [0.0, 0.0, z * slice_mm]
            ds.ImageOrientationPatient = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
            ds.PixelSpacing = [pixel_mm, pixel_mm]
            ds.TriggerTime = 0.0 if phase == "ed" else 300.0
            ds.Rows, ds.Columns = vol.shape[1], vol.shape[2]
            ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
            ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
            ds.PixelData = vol[z].astype("<u2").tobytes()
            fm = FileMetaDataset()
            fm.MediaStorageSOPClassUID, fm.MediaStorageSOPInstanceUID = ds.SOPClassUID, ds.SOPInstanceUID
            fm.TransferSyntaxUID = ExplicitVRLittleEndian
            ds.file_meta = fm
            ds.is_little_endian, ds.is_implicit_VR = True, False
            ds.save_as(os.path.join(folder, f"{p}_{z:02d}.dcm"), write_like_original=False)
            where[ds.SOPInstanceUID] = (z, p)
    return d, where


def read_pgm(path):
    with open(path, "rb") as f:
        data = f.read()
    parts = data.split(b"\n", 3)
    w, h = map(int, parts[1].split())
    return np.frombuffer(parts[3], np.uint8).reshape(h, w)


def dice(a, b):
    s = a.sum() + b.sum()
    return 1.0 if s == 0 else 2.0 * np.logical_and(a, b).sum() / s


def evaluate(atrium, npz, segmenter, pixel_mm, slice_mm, work):
    pid = os.path.basename(npz)[:-4]
    cine, labels = os.path.join(work, pid), os.path.join(work, pid + "-labels")
    d, where = write_cine(npz, cine, pixel_mm, slice_mm)
    p = subprocess.run([atrium, "analyze", cine, "--json", "--labels", labels, "--segmenter", segmenter],
                       capture_output=True, timeout=600)
    row = {"id": pid, "group": str(d["group"])}
    if p.returncode != 0:
        row["error"] = p.stderr.decode().strip().splitlines()[-1] if p.stderr else f"exit {p.returncode}"
        return row
    result = json.loads(p.stdout)
    ours = {ph: np.zeros_like(d[ph + "_label"]) for ph in PHASES}
    for item in json.load(open(os.path.join(labels, "index.json"))):
        z, ph = where[item["sop"]]
        ours[PHASES[ph]][z] = read_pgm(os.path.join(labels, item["file"]))
    swapped = False
    for ph in PHASES:
        ref = d[ph + "_label"]
        for k in ("lv", "myo", "rv"):
            row[f"{ph}_{k}"] = dice(ours[ph] == OURS[k], ref == ACDC[k])
            expert = (ref == ACDC[k]).sum()
            row[f"{ph}_{k}_bias_pct"] = 100.0 * ((ours[ph] == OURS[k]).sum() - expert) / expert if expert else 0.0
        swapped = swapped or (dice(ours[ph] == OURS["lv"], ref == ACDC["rv"]) > 0.5 and row[f"{ph}_lv"] < 0.5)
    for k in ("lv", "rv"):
        ed, es = (d["ed_label"] == ACDC[k]).sum(), (d["es_label"] == ACDC[k]).sum()
        ref_ef = 100.0 * (ed - es) / ed if ed else 0.0
        row[f"{k}_ef_ref"] = ref_ef
        row[f"{k}_ef"] = result[f"{k}_ef_pct"]
        row[f"{k}_ef_error"] = abs(result[f"{k}_ef_pct"] - ref_ef)
    row["swapped"] = swapped
    row["seconds"] = result.get("seconds")
    row["method"] = result.get("method")
    shutil.rmtree(cine, ignore_errors=True)
    shutil.rmtree(labels, ignore_errors=True)
    return row


def summary(rows):
    ok = [r for r in rows if "error" not in r]
    # Dice, then the signed volume difference (does the segmenter draw larger or smaller than the experts?)
    keys = [f"{ph}_{k}{what}" for what in ("", "_bias_pct") for ph in PHASES for k in ("lv", "myo", "rv")]
    keys += ["lv_ef_error", "rv_ef_error"]
    mean = {k: float(np.mean([r[k] for r in ok])) if ok else 0.0 for k in keys}
    for k in ("lv", "myo", "rv"):
        mean[k] = (mean[f"ed_{k}"] + mean[f"es_{k}"]) / 2
    mean["patients"] = len(rows)
    mean["failed"] = len(rows) - len(ok)
    mean["lv_below_0.80"] = sum(1 for r in ok if min(r["ed_lv"], r["es_lv"]) < 0.80)
    mean["swapped"] = sum(1 for r in ok if r["swapped"])
    return mean


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("patients", nargs="*", help="patient ids (patient002 ...)")
    ap.add_argument("--atrium", default=os.path.join(HERE, "..", "..", "build", "atrium"))
    ap.add_argument("--data", default=os.path.join(HERE, "..", "..", "..", "shared", "data", "acdc"))
    ap.add_argument("--validation", action="store_true", help="the model card's held-out patients")
    ap.add_argument("--all", action="store_true",
                    help="every patient in --data (most were trained on: a check for rules that fit a few, "
                         "not a measure of accuracy)")
    ap.add_argument("--model-card", default=os.path.join(HERE, "..", "..", "models", "cardiac_unet.onnx.json"))
    ap.add_argument("--segmenter", default="learned", choices=("learned", "classic"))
    ap.add_argument("--pixel-mm", type=float, default=1.5)
    ap.add_argument("--slice-mm", type=float, default=10.0)
    ap.add_argument("--json", action="store_true", help="print the rows and the means as JSON")
    args = ap.parse_args()
    ids = list(args.patients)
    if args.validation:
        ids += json.load(open(args.model_card))["validation_patients"]
    if args.all:
        ids += sorted(n[:-4] for n in os.listdir(args.data) if n.endswith(".npz") and n[:-4] not in ids)
    if not ids:
        ap.error("no patients: name them or give --validation")
    work = tempfile.mkdtemp(prefix="atrium-acdc-")
    try:
        rows = [evaluate(args.atrium, os.path.join(args.data, i + ".npz"), args.segmenter, args.pixel_mm,
                         args.slice_mm, work) for i in ids]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    mean = summary(rows)
    if args.json:
        print(json.dumps({"rows": rows, "mean": mean}, default=float))
        return
    for r in rows:
        if "error" in r:
            print(f"{r['id']} {r['group']:4s} FAILED: {r['error']}")
            continue
        print(f"{r['id']} {r['group']:4s} ED LV {r['ed_lv']:.3f} MYO {r['ed_myo']:.3f} RV {r['ed_rv']:.3f} | "
              f"ES LV {r['es_lv']:.3f} MYO {r['es_myo']:.3f} RV {r['es_rv']:.3f} | "
              f"EF LV {r['lv_ef']:.1f} (ref {r['lv_ef_ref']:.1f}) RV {r['rv_ef']:.1f} (ref {r['rv_ef_ref']:.1f})"
              f"{' SWAPPED' if r['swapped'] else ''}")
    print(f"mean over {mean['patients']} patients ({mean['failed']} failed): Dice LV {mean['lv']:.3f} "
          f"MYO {mean['myo']:.3f} RV {mean['rv']:.3f} (ED {mean['ed_lv']:.3f}/{mean['ed_myo']:.3f}/"
          f"{mean['ed_rv']:.3f}, ES {mean['es_lv']:.3f}/{mean['es_myo']:.3f}/{mean['es_rv']:.3f}); "
          f"EF MAE LV {mean['lv_ef_error']:.1f} RV {mean['rv_ef_error']:.1f} points; "
          f"LV Dice < 0.80: {mean['lv_below_0.80']}; swaps: {mean['swapped']}")
    print("mean volume difference from the experts' (ours - theirs, % of theirs): " + ", ".join(
        f"{ph.upper()} {k.upper()} {mean[f'{ph}_{k}_bias_pct']:+.1f}" for ph in PHASES for k in ("lv", "myo", "rv")))


if __name__ == "__main__":
    main()
