#!/usr/bin/env python3
"""A picture of what `atrium analyze` drew: every slice of a cine at end-diastole and at
end-systole, with the outlines of the LV blood pool (red), the LV myocardium (green) and the RV
blood pool (blue), and the experts' LV outlines where a Sunnybrook case gives them (yellow and
cyan). For looking at what no reference measures (the RV) and at where a number went wrong.

  tools/cardiac/montage.py IMAGES OUT_PREFIX [--sunnybrook CASE]
writes OUT_PREFIX-ed.png and OUT_PREFIX-es.png (the central half of each image, slices in order).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import evaluate  # noqa: E402  (also puts Debian's dist-packages first)
import numpy as np  # noqa: E402
import pydicom  # noqa: E402
from PIL import Image  # noqa: E402

COLOURS = {1: (255, 0, 0), 2: (0, 255, 0), 3: (0, 100, 255)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("images")
    ap.add_argument("out_prefix")
    ap.add_argument("--sunnybrook", metavar="CASE", help="draw this case's expert contours too")
    ap.add_argument("--atrium", default=os.path.join(os.path.dirname(__file__), "..", "..", "build", "atrium"))
    args = ap.parse_args()
    case = evaluate.Case(args.images, args.atrium)
    if args.sunnybrook:
        evaluate.load_sunnybrook(case, args.sunnybrook)
    r = case.result
    for name, phase in (("ed", r["ed_phase"]), ("es", r["es_phase"])):
        tiles = []
        for e in sorted((e for e in case.index if e["phase"] == phase), key=lambda e: e["slice"]):
            ds = pydicom.dcmread(case.files[e["sop"]])
            frames = ds.pixel_array
            img = (frames[e.get("frame", 0)] if frames.ndim == 3 else frames).astype(float)
            img = np.clip(img / max(np.percentile(img, 99.5), 1e-6), 0, 1)
            rgb = (np.stack([img] * 3, -1) * 255).astype(np.uint8)
            labels = np.array(Image.open(os.path.join(case.out, e["file"])))
            for label, colour in COLOURS.items():
                rgb[evaluate.boundary(labels == label)] = colour
            ref = case.reference.get(e["sop"], {}) if frames.ndim == 2 else {}
            if 1 in ref:
                rgb[evaluate.boundary(ref[1])] = (255, 255, 0)
                if 2 in ref:
                    rgb[evaluate.boundary(ref[1] | ref[2])] = (0, 255, 255)
            h, w = img.shape
            tiles.append(rgb[h // 4:3 * h // 4, w // 4:3 * w // 4])
        cols = 4
        rows = (len(tiles) + cols - 1) // cols
        th, tw = tiles[0].shape[:2]
        sheet = np.zeros((rows * th, cols * tw, 3), np.uint8)
        for i, t in enumerate(tiles):
            if t.shape[:2] == (th, tw):
                sheet[(i // cols) * th:(i // cols + 1) * th, (i % cols) * tw:(i % cols + 1) * tw] = t
        path = f"{args.out_prefix}-{name}.png"
        Image.fromarray(sheet).resize((cols * tw * 2, rows * th * 2), Image.NEAREST).save(path)
        print(f"{path}: phase {phase + 1} of {r['phases']}, {len(tiles)} slices")


if __name__ == "__main__":
    main()
