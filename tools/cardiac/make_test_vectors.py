#!/usr/bin/python3
"""Writes tests/data/cardiac/: what the C++ unit tests compare the learned segmenter against.

  preprocess.json + preprocess_input.f32 + preprocess_expected.f32
      a synthetic 150 x 170 image (1.37 mm pixels), and the network input that
      cardiac_model.preprocess() makes of it: C++ must make the same tensor.
  inference.json + inference_input.f32 + inference_expected.u8
      synthetic short-axis slices (no patient data) preprocessed, and the class PyTorch's model
      gives each pixel: OpenCV's run of the exported ONNX file must agree.

Run after training (it reads models/cardiac_unet.pt beside the ONNX file):
  /usr/bin/python3 tools/cardiac/make_test_vectors.py [--model models/cardiac_unet.pt]
"""
import argparse
import json
import math
import os
import sys

sys.path.insert(0, "/usr/lib/python3/dist-packages")
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cardiac_model import CROP, PIXEL_MM, preprocess  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "tests", "data", "cardiac")


def synthetic_slice(rng, rows, cols, mm, lv_mm, wall_mm, rv_mm, angle, centre):
    """A bright LV pool in a darker wall, a bright RV crescent beside it, body and lung, noise."""
    y, x = np.mgrid[0:rows, 0:cols].astype(float)
    cy, cx = centre
    r = np.hypot(x - cx, y - cy) * mm
    img = np.full((rows, cols), 180.0)
    img[np.hypot((x - cols / 2) / (cols * 0.48), (y - rows / 2) / (rows * 0.42)) > 1] = 10
    img[r <= lv_mm + wall_mm] = 90
    img[r <= lv_mm] = 420
    ox, oy = math.cos(angle), math.sin(angle)
    d = np.hypot(x - (cx + ox * (lv_mm + wall_mm) * 0.8 / mm), y - (cy + oy * (lv_mm + wall_mm) * 0.8 / mm)) * mm
    img[(d <= lv_mm + wall_mm + rv_mm) & (r > lv_mm + wall_mm + 2)] = 380
    img += rng.normal(0, 12, img.shape)
    return np.clip(img, 0, None).astype(np.float32)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.path.join(HERE, "..", "..", "models", "cardiac_unet.pt"))
    ap.add_argument("--preprocess-only", action="store_true")
    args = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(7)

    img = synthetic_slice(rng, 150, 170, 1.37, 25, 9, 14, math.pi, (70, 90))
    centre = (58, 66)
    want = preprocess(img, 1.37, 1.37, *centre)
    img.astype("<f4").tofile(os.path.join(OUT, "preprocess_input.f32"))
    want.astype("<f4").tofile(os.path.join(OUT, "preprocess_expected.f32"))
    with open(os.path.join(OUT, "preprocess.json"), "w") as f:
        json.dump({"rows": 150, "cols": 170, "row_mm": 1.37, "col_mm": 1.37, "centre_row": centre[0],
                   "centre_col": centre[1], "crop": CROP, "pixel_mm": PIXEL_MM}, f, indent=1)
    if args.preprocess_only:
        return

    import torch
    from cardiac_model import UNet
    model = UNet()
    model.load_state_dict(torch.load(args.model, map_location="cpu"))
    model.eval()
    inputs = []
    for k, (lv, wall, rvw, angle) in enumerate([(26, 9, 12, math.pi), (20, 11, 10, 0.8 * math.pi),
                                                (30, 8, 15, 1.2 * math.pi), (14, 10, 8, math.pi)]):
        s = synthetic_slice(rng, 192, 192, 1.5, lv, wall, rvw, angle, (96 + 4 * k, 100 - 3 * k))
        inputs.append(preprocess(s, 1.5, 1.5, 96, 96))
    x = torch.from_numpy(np.stack(inputs)[:, None])
    with torch.no_grad():
        classes = model(x).argmax(1).numpy().astype(np.uint8)
    np.stack(inputs).astype("<f4").tofile(os.path.join(OUT, "inference_input.f32"))
    classes.tofile(os.path.join(OUT, "inference_expected.u8"))
    with open(os.path.join(OUT, "inference.json"), "w") as f:
        json.dump({"images": len(inputs), "size": CROP,
                   "foreground_pixels": int((classes > 0).sum()),
                   "per_class": [int((classes == c).sum()) for c in range(4)]}, f, indent=1)
    print("per class:", [int((classes == c).sum()) for c in range(4)])


if __name__ == "__main__":
    main()
