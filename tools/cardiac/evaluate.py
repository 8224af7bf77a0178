#!/usr/bin/env python3
"""Accuracy of `atrium analyze` against expert references, per case and over all cases:
Dice of LV blood pool, LV myocardium and RV blood pool at end-diastole and end-systole, the 3D
Hausdorff distance (mm) of each structure at ED and ES, and the bias and 95 % limits of agreement
of LV EDV, ESV, EF and mass (myocardium at ED × 1.05 g/ml, on the slices the reference
outlines it). Per case also our own LV and RV stroke volumes (they should agree when there
is no shunt or regurgitation: a check on the RV where no RV reference exists) and our warnings.

A case is a folder of images and a reference, one of:
  --sunnybrook CASE   CASE/dicom and CASE/contours/{i,o}-contours (Sunnybrook Cardiac Data)
  --rtstruct IMAGES RTSTRUCT.dcm   ROI names containing "LV"/"left" + "blood|cavity|endo",
                                   "myo", "RV"/"right" (contours in patient coordinates)
  --seg IMAGES SEG.dcm              binary DICOM SEG, segments named likewise
  --nifti IMAGES LABELS.nii[.gz] PHASE
                                    a NIfTI-1 label volume of one phase (0-based, as `atrium analyze`
                                    numbers them; give the option once for ED and once for ES of a
                                    case), mapped onto the DICOM images through its affine;
                                    labels by --nifti-labels (default ACDC: lv=3,myo=2,rv=1)
Each option can be repeated. Example:
  tools/cardiac/evaluate.py --sunnybrook ../shared/data/sunnybrook/SCD0000101 --sunnybrook ...
"""
import argparse
import atexit
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings

warnings.filterwarnings("ignore", message="Invalid value for VR")  # real archives hold such UIDs
sys.path.insert(0, "/usr/lib/python3/dist-packages")
import numpy as np  # noqa: E402
import pydicom  # noqa: E402
from PIL import Image  # noqa: E402

STRUCTURES = {1: "LV blood", 2: "LV myocardium", 3: "RV blood"}


def polygon(points, shape):
    """The pixels whose centres lie inside the polygon (even-odd rule; x, y in pixel units with
    pixel (0, 0) centred at (0, 0)). Its area equals the polygon's; filling with the outline drawn
    (PIL's polygon, OpenCV's fillPoly) adds the boundary pixels, about 6 % of an LV pool here."""
    p = np.asarray(points, float).reshape(-1, 2)
    mask = np.zeros(shape, bool)
    if len(p) < 3:
        return mask
    x0, y0 = np.floor(p.min(0)).astype(int)
    x1, y1 = np.ceil(p.max(0)).astype(int)
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, shape[1] - 1), min(y1, shape[0] - 1)
    if x0 > x1 or y0 > y1:
        return mask
    ys, xs = np.mgrid[y0:y1 + 1, x0:x1 + 1].astype(float)
    inside = np.zeros(ys.shape, bool)
    for (ax, ay), (bx, by) in zip(p, np.roll(p, -1, axis=0)):
        if ay == by:
            continue
        crosses = (ay > ys) != (by > ys)
        inside ^= crosses & (xs < ax + (ys - ay) * (bx - ax) / (by - ay))
    mask[y0:y1 + 1, x0:x1 + 1] = inside
    return mask


def structure_of(name):
    n = name.lower()
    if "myo" in n:
        return 2
    if ("lv" in n or "left" in n) and any(k in n for k in ("blood", "cavity", "endo", "pool")):
        return 1
    if "rv" in n or "right" in n:
        return 3
    return None


class Case:
    """Our labels and the reference's, per SOP Instance UID, with each image's geometry."""

    def __init__(self, images, atrium, segmenter="learned"):
        self.out = tempfile.mkdtemp(prefix="atrium-eval-")
        atexit.register(shutil.rmtree, self.out, ignore_errors=True)  # the label maps are ours to drop
        r = subprocess.run([atrium, "analyze", images, "--json", "--labels", self.out, "--segmenter", segmenter],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"atrium analyze {images}: {r.stderr.strip()}")
        self.result = json.loads(r.stdout)
        self.index = json.load(open(os.path.join(self.out, "index.json")))
        self.by_sop = {e["sop"]: e for e in self.index}
        self.by_number = {e["instance_number"]: e for e in self.index}
        self.geometry, self.files = {}, {}  # per SOP Instance UID
        for root, _, names in os.walk(images):
            for n in names:
                try:
                    ds = pydicom.dcmread(os.path.join(root, n), stop_before_pixels=True)
                except Exception:  # noqa: BLE001 - not DICOM
                    continue
                self.files[str(ds.SOPInstanceUID)] = os.path.join(root, n)
                if "ImagePositionPatient" in ds:
                    self.geometry[str(ds.SOPInstanceUID)] = (np.array(ds.ImagePositionPatient, float),
                                                           np.array(ds.ImageOrientationPatient, float),
                                                           np.array(ds.PixelSpacing, float), (ds.Rows, ds.Columns))
        self.reference = {}  # sop → {structure: mask}

    def ours(self, sop):
        return np.array(Image.open(os.path.join(self.out, self.by_sop[sop]["file"])))

    def to_pixels(self, sop, points):
        ipp, iop, ps, _ = self.geometry[sop]
        d = np.asarray(points, float).reshape(-1, 3) - ipp
        return np.stack([d @ iop[:3] / ps[1], d @ iop[3:] / ps[0]], axis=1)


# Sunnybrook's contour files put the image's top-left corner, not the first pixel's centre, at (0, 0):
# the experts' endocardial contours lie 0.8 to 0.9 pixel right of and below the image's own edges in
# x and y alike (tools/cardiac/contour_offset.py, which finds 0.0 on a phantom's true outlines).
# Of the usual origins that fit, the corner (0.5) is the smaller move; 1-based centres would be 1.0.
SUNNYBROOK_ORIGIN = 0.5


def sunnybrook_contours(folder, kind):
    """{Instance Number: points} of a Sunnybrook case's contours/KIND (i-contours or o-contours), from
    file names IM-0001-NNNN-... (NNNN is the image's Instance Number), in pixel units with pixel
    (0, 0) centred at (0, 0), as polygon() takes them."""
    d = os.path.join(folder, "contours", kind)
    out = {}
    for name in sorted(os.listdir(d)):
        m = re.search(r"IM-\d+-(\d+)-", name)
        if not m:
            raise SystemExit(f"{os.path.join(d, name)}: not a Sunnybrook contour file (IM-0001-NNNN-...)")
        out[int(m.group(1))] = np.loadtxt(os.path.join(d, name)) - SUNNYBROOK_ORIGIN
    return out


def load_sunnybrook(case, folder):
    for kind in ("i-contours", "o-contours"):
        for n, points in sunnybrook_contours(folder, kind).items():
            if n not in case.by_number:
                continue
            sop = case.by_number[n]["sop"]
            mask = polygon(points, case.geometry[sop][3])
            case.reference.setdefault(sop, {})[1 if kind == "i-contours" else "epi"] = mask
    for ref in case.reference.values():  # myocardium = inside the epicardium, outside the blood pool
        epi = ref.pop("epi", None)
        if epi is not None and 1 in ref:
            ref[2] = epi & ~ref[1]


def load_rtstruct(case, path):
    ds = pydicom.dcmread(path)
    names = {int(r.ROINumber): r.ROIName for r in ds.StructureSetROISequence}
    for rc in ds.ROIContourSequence:
        label = structure_of(names.get(int(rc.ReferencedROINumber), ""))
        if not label:
            continue
        for c in rc.ContourSequence:
            sop = str(c.ContourImageSequence[0].ReferencedSOPInstanceUID)
            if sop not in case.geometry:
                continue
            mask = polygon(case.to_pixels(sop, c.ContourData), case.geometry[sop][3])
            ref = case.reference.setdefault(sop, {})
            ref[label] = ref.get(label, np.zeros_like(mask)) ^ mask  # nested contours make holes
    for ref in case.reference.values():
        if 2 in ref and 1 in ref:
            ref[2] &= ~ref[1]


def load_seg(case, path):
    ds = pydicom.dcmread(path)
    labels = {int(s.SegmentNumber): structure_of(s.SegmentLabel) for s in ds.SegmentSequence}
    rows, cols = ds.Rows, ds.Columns
    bits = np.unpackbits(np.frombuffer(ds.PixelData, np.uint8), bitorder="little")
    for i, fg in enumerate(ds.PerFrameFunctionalGroupsSequence):
        label = labels.get(int(fg.SegmentIdentificationSequence[0].ReferencedSegmentNumber))
        sop = str(fg.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID)
        if label and sop in case.geometry:
            case.reference.setdefault(sop, {})[label] = bits[i * rows * cols:(i + 1) * rows * cols].reshape(
                rows, cols).astype(bool)


def read_nifti(path):
    """(label volume indexed [i, j, k], 4x4 voxel → RAS mm affine) of a NIfTI-1 file."""
    import gzip
    import struct
    raw = (gzip.open if path.endswith(".gz") else open)(path, "rb").read()
    endian = "<" if struct.unpack("<i", raw[:4])[0] == 348 else ">"
    dims = struct.unpack(endian + "8h", raw[40:56])
    datatype = struct.unpack(endian + "h", raw[70:72])[0]
    vox_offset = int(struct.unpack(endian + "f", raw[108:112])[0])
    scl = struct.unpack(endian + "2f", raw[112:120])
    pixdim = struct.unpack(endian + "8f", raw[76:108])
    qform, sform = struct.unpack(endian + "2h", raw[252:256])
    types = {2: "u1", 4: "i2", 8: "i4", 16: "f4", 64: "f8", 256: "i1", 512: "u2", 768: "u4"}
    shape = dims[1:1 + dims[0]][:3]
    data = np.frombuffer(raw, endian + types[datatype], count=int(np.prod(shape)), offset=vox_offset)
    data = data.reshape(shape[::-1]).transpose(2, 1, 0)  # stored x fastest
    if scl[0] not in (0.0, 1.0):
        data = data * scl[0] + scl[1]
    if sform > 0:
        rows = struct.unpack(endian + "12f", raw[280:328])
        affine = np.vstack([np.array(rows).reshape(3, 4), [0, 0, 0, 1]])
    else:  # qform: quaternion
        b, c, d = struct.unpack(endian + "3f", raw[256:268])
        off = struct.unpack(endian + "3f", raw[268:280])
        a = np.sqrt(max(0.0, 1 - b * b - c * c - d * d))
        rot = np.array([[a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
                        [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
                        [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b]])
        qfac = pixdim[0] if pixdim[0] in (-1.0, 1.0) else 1.0
        affine = np.eye(4)
        affine[:3, :3] = rot * np.array([pixdim[1], pixdim[2], pixdim[3] * qfac])
        affine[:3, 3] = off
    return np.rint(data).astype(int), affine


def load_nifti(case, path, phase, labels):
    volume, affine = read_nifti(path)
    inverse = np.linalg.inv(affine)
    for e in case.index:
        if e["phase"] != phase or e["sop"] not in case.geometry:
            continue
        ipp, iop, ps, (rows, cols) = case.geometry[e["sop"]]
        ys, xs = np.mgrid[0:rows, 0:cols]
        lps = ipp + xs[..., None] * ps[1] * iop[:3] + ys[..., None] * ps[0] * iop[3:]
        ras = lps * np.array([-1, -1, 1])  # DICOM is LPS, NIfTI RAS
        ijk = np.rint((np.concatenate([ras, np.ones((rows, cols, 1))], axis=2) @ inverse.T)[..., :3]).astype(int)
        inside = np.all((ijk >= 0) & (ijk < np.array(volume.shape)), axis=2)
        if not inside.any():
            continue
        values = np.zeros((rows, cols), int)
        values[inside] = volume[ijk[inside][:, 0], ijk[inside][:, 1], ijk[inside][:, 2]]
        ref = {ours: values == theirs for ours, theirs in labels.items() if (values == theirs).any()}
        if ref:
            case.reference[e["sop"]] = ref


def dice(a, b):
    s = a.sum() + b.sum()
    return 2 * (a & b).sum() / s if s else 1.0


def boundary(mask):
    """The mask's pixels with a 4-neighbour outside it (pixels on the image's edge count as inside)."""
    inner = mask.copy()
    inner[1:-1, 1:-1] = mask[1:-1, 1:-1] & mask[:-2, 1:-1] & mask[2:, 1:-1] & mask[1:-1, :-2] & mask[1:-1, 2:]
    return mask & ~inner


def boundary_mm(case, sop, mask):
    ys, xs = np.nonzero(boundary(mask))
    ipp, iop, ps, _ = case.geometry[sop]
    return ipp + np.outer(xs * ps[1], iop[:3]) + np.outer(ys * ps[0], iop[3:])


def hausdorff(a, b):
    if not len(a) or not len(b):
        return float("nan")
    d = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))
    return max(d.min(1).max(), d.min(0).max())


def evaluate(case):
    """ED and ES of the reference: Dice and Hausdorff per structure, and LV volumes both ways."""
    phases = {}
    for sop in case.reference:
        phases.setdefault(case.by_sop[sop]["phase"], []).append(sop)
    spacing = case.result["slice_spacing_mm"]

    def volume(sops, reference, label=1):
        total = 0.0
        for sop in sops:
            if label not in case.reference[sop]:
                continue
            m = case.reference[sop][label] if reference else case.ours(sop) == label
            if m is not None:
                total += m.sum() * np.prod(case.geometry[sop][2]) * spacing / 1000
        return total

    lv = {p: volume(s, True) for p, s in phases.items()}
    ed, es = max(lv, key=lv.get), min(lv, key=lv.get)
    out = {}
    for name, phase in (("ED", ed), ("ES", es)):
        sops = phases[phase]
        for label in STRUCTURES:
            refs = [(s, case.reference[s][label]) for s in sops if label in case.reference[s]]
            if not refs:
                continue
            ours = [case.ours(s) == label for s, _ in refs]
            d = dice(np.stack([m for _, m in refs]), np.stack(ours))
            hd = hausdorff(np.concatenate([boundary_mm(case, s, m) for s, m in refs]),
                           np.concatenate([boundary_mm(case, s, o) for (s, _), o in zip(refs, ours)]))
            out[f"{STRUCTURES[label]} {name}"] = (d, hd)
    # Volumes over the reference's slices both ways, so that slice coverage does not bias them.
    vol = {k: (volume(phases[p], True), volume(phases[p], False)) for k, p in (("EDV", ed), ("ESV", es))}
    # LV mass: the myocardium at ED × 1.05 g/ml, over the slices where the reference has one.
    vol["mass"] = tuple(1.05 * volume(phases[ed], ref, 2) for ref in (True, False))
    return out, vol


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sunnybrook", action="append", default=[], metavar="CASE")
    ap.add_argument("--rtstruct", action="append", nargs=2, default=[], metavar=("IMAGES", "FILE"))
    ap.add_argument("--seg", action="append", nargs=2, default=[], metavar=("IMAGES", "FILE"))
    ap.add_argument("--nifti", action="append", nargs=3, default=[], metavar=("IMAGES", "FILE", "PHASE"))
    ap.add_argument("--nifti-labels", default="lv=3,myo=2,rv=1")
    ap.add_argument("--atrium", default=os.path.join(os.path.dirname(__file__), "..", "..", "build", "atrium"))
    ap.add_argument("--segmenter", default="learned", choices=("learned", "classic"))
    args = ap.parse_args()
    cases = [(c, os.path.join(c, "dicom"), load_sunnybrook, c) for c in args.sunnybrook]
    cases += [(f, i, load_rtstruct, f) for i, f in args.rtstruct] + [(f, i, load_seg, f) for i, f in args.seg]
    names = {"lv": 1, "myo": 2, "rv": 3}
    nifti_labels = {names[k]: int(v) for k, v in (x.split("=") for x in args.nifti_labels.split(","))}
    by_images = {}
    for images, path, phase in args.nifti:  # the ED and ES volumes of one case belong together
        by_images.setdefault(images, []).append((path, int(phase)))
    for images, volumes in by_images.items():
        def loader(case, vols, labels=nifti_labels):
            for path, phase in vols:
                load_nifti(case, path, phase, labels)
        cases.append((images, images, loader, volumes))
    if not cases:
        ap.error("give at least one case")
    scores, diffs = {}, {"EDV": [], "ESV": [], "EF": [], "mass": []}
    for label, images, loader, ref in cases:
        case = Case(images, args.atrium, args.segmenter)
        loader(case, ref)
        s, vol = evaluate(case)
        ef_ref = 100 * (vol["EDV"][0] - vol["ESV"][0]) / vol["EDV"][0]
        ef_ours = 100 * (vol["EDV"][1] - vol["ESV"][1]) / vol["EDV"][1] if vol["EDV"][1] else 0
        diffs["EDV"].append(vol["EDV"][1] - vol["EDV"][0])
        diffs["ESV"].append(vol["ESV"][1] - vol["ESV"][0])
        diffs["EF"].append(ef_ours - ef_ref)
        if vol["mass"][0]:
            diffs["mass"].append(vol["mass"][1] - vol["mass"][0])
        print(f"{os.path.basename(label.rstrip('/'))}: " + ", ".join(
            f"{k} Dice {d:.3f} HD {h:.1f} mm" for k, (d, h) in s.items()) +
            f"; LV EDV {vol['EDV'][1]:.1f}/{vol['EDV'][0]:.1f} ml, ESV {vol['ESV'][1]:.1f}/{vol['ESV'][0]:.1f} ml, "
            f"EF {ef_ours:.1f}/{ef_ref:.1f} %" +
            (f", LV mass {vol['mass'][1]:.1f}/{vol['mass'][0]:.1f} g" if vol["mass"][0] else "") + " (ours/reference)")
        # Without an RV reference, the stroke volumes say something: with no shunt or
        # regurgitation the two ventricles eject the same volume.
        r = case.result
        print(f"  our whole-stack results: LV SV {r['lv_sv_ml']} ml, RV SV {r['rv_sv_ml']} ml, "
              f"RV EF {r['rv_ef_pct']} %" + (f"; warnings: {'; '.join(r['warnings'])}" if r["warnings"] else ""))
        for k, v in s.items():
            scores.setdefault(k, []).append(v)
    print("mean over cases:")
    for k, v in scores.items():
        print(f"  {k:<22} Dice {np.mean([d for d, _ in v]):.3f}   Hausdorff {np.nanmean([h for _, h in v]):.1f} mm")
    for k, d in diffs.items():
        if not d:
            continue
        sd = np.std(d, ddof=1) if len(d) > 1 else float("nan")
        unit = {"EF": "%", "mass": "g"}.get(k, "ml")
        print(f"  LV {k:<3} bias {np.mean(d):+.1f} {unit}, limits of agreement {np.mean(d) - 1.96 * sd:+.1f} .. "
              f"{np.mean(d) + 1.96 * sd:+.1f} {unit}, mean absolute error {np.mean(np.abs(d)):.1f} {unit}")


if __name__ == "__main__":
    main()
