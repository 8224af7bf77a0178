"""ACDC training data (../shared/data/acdc, one .npz per patient): loading, the split by patient,
and the slices the training samples from. numpy only, so that `make test` checks it without PyTorch."""
import glob
import os
import sys

sys.path.insert(0, "/usr/lib/python3/dist-packages")
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cardiac_model import normalise  # noqa: E402

GROUPS = ("DCM", "HCM", "MINF", "NOR", "RV")


def load_patients(folder, limit=None):
    files = sorted(glob.glob(os.path.join(folder, "patient*.npz")))
    if not files:
        raise SystemExit(f"train.py: no patient*.npz in {folder}")
    patients = []
    for f in files[:limit]:
        d = np.load(f)
        p = {"id": os.path.basename(f)[:-4], "group": str(d["group"])}
        for phase in ("ed", "es"):
            p[phase + "_image"] = d[phase + "_image"]
            p[phase + "_label"] = d[phase + "_label"]
        patients.append(p)
    return patients


def split(patients, seed, per_group=2):
    """Validation: per_group patients of each pathology group, drawn by the seed."""
    rng = np.random.default_rng(seed)
    val = set()
    for g in GROUPS:
        ids = sorted(p["id"] for p in patients if p["group"] == g)
        val.update(rng.permutation(ids)[:per_group].tolist() if ids else [])
    if not val and len(patients) > 1:
        val = {patients[-1]["id"]}
    return [p for p in patients if p["id"] not in val], [p for p in patients if p["id"] in val]


def slices_of(patients):
    """Every labelled or unlabelled slice at ED and ES: (normalised image, labels, heart centre)."""
    out = []
    for p in patients:
        for phase in ("ed", "es"):
            img, lab = p[phase + "_image"], p[phase + "_label"]
            rows, cols = np.nonzero(lab.max(0) > 0)
            centre = (rows.mean(), cols.mean()) if rows.size else (img.shape[1] / 2, img.shape[2] / 2)
            for z in range(img.shape[0]):
                out.append((normalise(img[z]), lab[z].astype(np.int64), centre))
    return out
