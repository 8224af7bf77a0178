#!/usr/bin/env python3
"""Accuracy of `atrium analyze` against the Sunnybrook expert contours (LV endocardium "i" and
epicardium "o", pixel coordinates, at ED and ES): Dice of the LV blood pool and of the myocardium
per contoured image, and their means. Usage: eval_sunnybrook.py CASE_FOLDER... [--atrium BIN]"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, "/usr/lib/python3/dist-packages")
from PIL import Image, ImageDraw  # noqa: E402


def polygon_mask(path, size):
    pts = [tuple(map(float, line.split()[:2])) for line in open(path) if line.strip()]
    img = Image.new("L", size, 0)
    ImageDraw.Draw(img).polygon(pts, fill=1, outline=1)
    return img


def dice(a, b):
    inter = sum(1 for x, y in zip(a, b) if x and y)
    s = sum(1 for x in a if x) + sum(1 for y in b if y)
    return 2 * inter / s if s else 1.0


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("cases", nargs="+")
    ap.add_argument("--atrium", default=os.path.join(os.path.dirname(__file__), "..", "..", "build", "atrium"))
    args = ap.parse_args()
    all_lv, all_myo = [], []
    for case in args.cases:
        with tempfile.TemporaryDirectory() as out:
            r = subprocess.run([args.atrium, "analyze", os.path.join(case, "dicom"), "--json", "--labels", out],
                               capture_output=True, text=True, check=True)
            result = json.loads(r.stdout)
            index = {e["instance_number"]: e for e in json.load(open(os.path.join(out, "index.json")))}
            lv, myo = [], []
            for name in sorted(os.listdir(os.path.join(case, "contours", "i-contours"))):
                n = int(re.search(r"IM-\d+-(\d+)-", name).group(1))
                if n not in index:
                    continue
                labels = Image.open(os.path.join(out, index[n]["file"]))
                ours = list(labels.getdata())
                endo = list(polygon_mask(os.path.join(case, "contours", "i-contours", name), labels.size).getdata())
                lv.append(dice([v == 1 for v in ours], endo))
                oname = os.path.join(case, "contours", "o-contours", name.replace("icontour", "ocontour"))
                if os.path.exists(oname):
                    epi = list(polygon_mask(oname, labels.size).getdata())
                    myo.append(dice([v == 2 for v in ours], [e and not i for e, i in zip(epi, endo)]))
            print(f"{os.path.basename(case)}: LV EDV {result['lv_edv_ml']} ml, EF {result['lv_ef_pct']} %, "
                  f"mass {result['lv_mass_g']} g; Dice LV blood {sum(lv) / len(lv):.3f} ({len(lv)} images), "
                  f"myocardium {sum(myo) / max(1, len(myo)):.3f} ({len(myo)} images)")
            all_lv += lv
            all_myo += myo
    print(f"all: Dice LV blood {sum(all_lv) / len(all_lv):.3f}, myocardium {sum(all_myo) / max(1, len(all_myo)):.3f}")


if __name__ == "__main__":
    main()
