"""tools/cardiac/train.py is a tool, not a test; here its pieces are checked: the preprocessing of
tools/cardiac/cardiac_model.py gives the committed test vectors (the C++ unit test compares its own
against the same files), the ACDC data loads and splits by patient, and, where PyTorch is installed
(scripts/install-deps.sh --training), one training step on a tiny subset exports a model whose card
matches the file."""
import hashlib
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import check, cleanup, main, skip, skip_unless_shared  # noqa: E402

sys.path.insert(0, "/usr/lib/python3/dist-packages")
import numpy as np  # noqa: E402

TOOLS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "cardiac")
VECTORS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "cardiac")
sys.path.insert(0, TOOLS)
from acdc_data import load_patients, slices_of, split  # noqa: E402
from cardiac_model import CROP, preprocess  # noqa: E402


def test_preprocessing_gives_the_committed_tensor():
    meta = json.load(open(os.path.join(VECTORS, "preprocess.json")))
    image = np.fromfile(os.path.join(VECTORS, "preprocess_input.f32"), "<f4").reshape(meta["rows"], meta["cols"])
    want = np.fromfile(os.path.join(VECTORS, "preprocess_expected.f32"), "<f4").reshape(CROP, CROP)
    got = preprocess(image, meta["row_mm"], meta["col_mm"], meta["centre_row"], meta["centre_col"])
    check(got.shape == (CROP, CROP) and np.abs(got - want).max() < 1e-6, f"max difference {np.abs(got - want).max()}")
    check(0 < got.max() <= 1 and got.min() == 0, f"range {got.min()}..{got.max()}")


def test_data_loads_and_splits_by_patient():
    acdc = skip_unless_shared("data/acdc")
    if not acdc:
        return
    patients = load_patients(acdc, limit=25)
    train, val = split(patients, seed=1)
    check({p["id"] for p in train}.isdisjoint({p["id"] for p in val}) and len(train) + len(val) == 25,
          f"split: {len(train)} + {len(val)}")
    check(sorted({p["group"] for p in val}) == sorted({p["group"] for p in patients}),
          f"every group in validation: {[p['group'] for p in val]}")
    again = split(load_patients(acdc, limit=25), seed=1)[1]
    check([p["id"] for p in again] == [p["id"] for p in val], "the split is reproducible")
    slices = slices_of(train[:3])
    check(len(slices) == sum(p["ed_image"].shape[0] * 2 for p in train[:3]), f"{len(slices)} slices")
    for image, label, centre in slices:
        check(image.dtype == np.float32 and 0 <= image.min() and image.max() <= 1, "normalised to 0..1")
        check(label.shape == image.shape and set(np.unique(label)) <= {0, 1, 2, 3}, "labels 0..3")
        check(0 <= centre[0] < image.shape[0] and 0 <= centre[1] < image.shape[1], f"centre {centre}")


def test_one_training_step():
    acdc = skip_unless_shared("data/acdc")
    if not acdc:
        return
    try:
        import torch  # noqa: F401
    except ImportError:
        skip("one training step: PyTorch is not installed (scripts/install-deps.sh --training)")
        return
    out = tempfile.mkdtemp(prefix="atrium-train-")
    try:
        p = subprocess.run(["/usr/bin/python3", os.path.join(TOOLS, "train.py"), "--data", acdc, "--out", out,
                            "--limit-patients", "6", "--iterations", "2", "--batch", "4", "--threads", "1"],
                           capture_output=True, text=True, timeout=600)
        check(p.returncode == 0, f"train.py: {p.returncode} {p.stderr[-1000:]}")
        check("validation (patients never trained on)" in p.stdout and "it 2/2" in p.stdout, p.stdout[-1000:])
        onnx = os.path.join(out, "cardiac_unet.onnx")
        card = json.load(open(onnx + ".json"))
        check(card["sha256"] == hashlib.sha256(open(onnx, "rb").read()).hexdigest(), "card's SHA-256")
        check(card["pixel_mm"] == 1.5 and card["crop"] == CROP and len(card["validation_patients"]) >= 1, card)
    finally:
        cleanup(out)


if __name__ == "__main__":
    main([test_preprocessing_gives_the_committed_tensor, test_data_loads_and_splits_by_patient,
          test_one_training_step])
