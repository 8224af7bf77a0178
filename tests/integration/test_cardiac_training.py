"""tools/cardiac/train.py is a tool, not a test; here its pieces are checked: the preprocessing of
tools/cardiac/cardiac_model.py gives the committed test vectors (the C++ unit test compares its own
against the same files), the ACDC data loads and splits by patient, Sunnybrook's outlined images load
with their partial labels, and, where PyTorch is installed (scripts/install-deps.sh --training), the
loss reads a partial label as "one of these classes" and one training step on a tiny subset (with a
Sunnybrook case) exports a model whose card matches the file."""
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
from cardiac_model import CROP, PIXEL_MM, preprocess  # noqa: E402
from evaluate import polygon, sunnybrook_contours  # noqa: E402
from sunnybrook_data import NOT_LV, NOT_POOL, load_case  # noqa: E402

SUNNYBROOK_CASE = "data/sunnybrook/SCD0000101"


def torch_or_skip(what):
    try:
        import torch
        return torch
    except ImportError:
        skip(f"{what}: PyTorch is not installed (scripts/install-deps.sh --training)")
        return None


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


def test_sunnybrook_slices_for_training():
    case = skip_unless_shared(SUNNYBROOK_CASE)
    if not case:
        return
    import pydicom
    slices = load_case(case)
    endo = sunnybrook_contours(case, "i-contours")
    check(len(slices) == len(endo) == 18, f"{len(slices)} images for {len(endo)} endocardial contours")
    ds = pydicom.dcmread(os.path.join(case, "dicom", "1.dcm"), stop_before_pixels=True)
    mm = float(ds.PixelSpacing[0])
    side = int(np.floor(ds.Rows * mm / PIXEL_MM + 0.5))
    kinds = {NOT_LV: 0, NOT_POOL: 0}
    for (image, label, centre), name in zip(slices, sorted(endo)):
        check(image.shape == label.shape == (side, side), f"{image.shape} at {PIXEL_MM} mm, not {side}")
        check(image.dtype == np.float32 and 0 <= image.min() and image.max() <= 1, "normalised to 0..1")
        values = set(np.unique(label).tolist())
        check(values in ({2, 3, NOT_LV}, {3, NOT_POOL}), f"labels {values}")
        kinds[NOT_LV if NOT_LV in values else NOT_POOL] += 1
        check(label[int(round(centre[0])), int(round(centre[1]))] == 3, f"centre {centre} in the pool")
        # the pool's area in mm² survives the resampling
        ref = polygon(endo[name], (ds.Rows, ds.Columns))
        ours, theirs = (label == 3).sum() * PIXEL_MM ** 2, ref.sum() * mm * mm
        check(abs(ours - theirs) < 0.05 * theirs, f"image {name}: pool {ours:.0f} mm² against {theirs:.0f}")
    check(kinds[NOT_LV] == 9 and kinds[NOT_POOL] == 9, f"with and without an epicardium: {kinds}")


def test_partial_labels_in_the_loss():
    torch = torch_or_skip("the training loss")
    if not torch:
        return
    from train import loss_fn, partial_loss
    torch.manual_seed(0)
    logits = torch.randn(3, 4, 8, 8)
    target = torch.randint(0, 4, (3, 8, 8))
    plain = loss_fn(logits, target).item()
    check(abs(partial_loss(logits, target).item() - plain) < 1e-5, "no partial label: the plain loss")
    # a partial label costs -log of its classes' summed probability
    one = torch.zeros(1, 4, 1, 1)
    one[0, :, 0, 0] = torch.tensor([1.0, 2.0, 0.5, -1.0])
    p = one.softmax(1)[0, :, 0, 0]
    ce = lambda t: partial_loss(one, torch.tensor([[[t]]])).item()  # noqa: E731
    # the Dice terms (1 - Dice per structure, averaged): a class the label leaves open does not count
    # (Dice 1); a class it rules out has Dice 1 / (p + 1) on this one pixel
    miss = lambda c: 1 - 1 / (p[c].item() + 1)  # noqa: E731
    want_not_lv = -np.log(p[0] + p[1]).item() + (miss(2) + miss(3)) / 3
    want_not_pool = -np.log(p[0] + p[1] + p[2]).item() + miss(3) / 3
    check(abs(ce(NOT_LV) - want_not_lv) < 1e-5, f"NOT_LV {ce(NOT_LV)} against {want_not_lv}")
    check(abs(ce(NOT_POOL) - want_not_pool) < 1e-5, f"NOT_POOL {ce(NOT_POOL)} against {want_not_pool}")


def test_one_training_step():
    acdc = skip_unless_shared("data/acdc")
    if not acdc:
        return
    if not torch_or_skip("one training step"):
        return
    case = skip_unless_shared(SUNNYBROOK_CASE)
    out = tempfile.mkdtemp(prefix="atrium-train-")
    try:
        p = subprocess.run(["/usr/bin/python3", os.path.join(TOOLS, "train.py"), "--data", acdc, "--out", out,
                            "--limit-patients", "6", "--iterations", "2", "--batch", "4", "--threads", "1"]
                           + (["--sunnybrook", case, "--sunnybrook-fraction", "0.5"] if case else []),
                           capture_output=True, text=True, timeout=600)
        check(p.returncode == 0, f"train.py: {p.returncode} {p.stderr[-1000:]}")
        check("validation (patients never trained on)" in p.stdout and "it 2/2" in p.stdout, p.stdout[-1000:])
        check(not case or "18 Sunnybrook images" in p.stdout, p.stdout[-1000:])
        onnx = os.path.join(out, "cardiac_unet.onnx")
        card = json.load(open(onnx + ".json"))
        check(card["sha256"] == hashlib.sha256(open(onnx, "rb").read()).hexdigest(), "card's SHA-256")
        check(card["pixel_mm"] == 1.5 and card["crop"] == CROP and len(card["validation_patients"]) >= 1, card)
        check(not case or card["sunnybrook_cases"] == ["SCD0000101"], f"the card names the Sunnybrook case: {card}")
    finally:
        cleanup(out)


if __name__ == "__main__":
    main([test_preprocessing_gives_the_committed_tensor, test_data_loads_and_splits_by_patient,
          test_sunnybrook_slices_for_training, test_partial_labels_in_the_loss, test_one_training_step])
