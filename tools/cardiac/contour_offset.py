#!/usr/bin/env python3
"""Where expert contours lie against the image's own edges: a check of a contour file format's pixel
convention (does (0, 0) name the first pixel's centre or the image's corner?), made from the images
and the contours alone, whatever segmenter is being judged.

At each contour point the image's strongest edge is looked for along the contour's normal (3 pixels
either way, on the image smoothed by a Gaussian of 0.8 pixel); the distances are fitted by least squares
as d = offset + tx nx + ty ny (n: the outward normal), dropping points 1.5 pixels off the fit. `offset`
is how far outside the contour the edges lie all round (an expert's habit, as including trabeculae);
(tx, ty) is how far the edges are translated from the contour in x (columns) and y (rows): a
misread origin. On a phantom's exact outlines it gives 0.0 (tested).

  tools/cardiac/contour_offset.py --sunnybrook ../shared/data/sunnybrook/SCD0000101 [...]
prints, per case and contour kind, the fit for the points as evaluate.py reads them.
"""
import argparse
import os
import sys

sys.path.insert(0, "/usr/lib/python3/dist-packages")
import numpy as np  # noqa: E402
from scipy import ndimage  # noqa: E402

SEARCH_PX = 3.0
STEP_PX = 0.1
OUTLIER_PX = 1.5


def outward_normals(points):
    """Unit normals of a closed polygon, pointing away from its centroid."""
    tangent = np.roll(points, -1, 0) - np.roll(points, 1, 0)
    normal = np.stack([tangent[:, 1], -tangent[:, 0]], 1)
    normal /= np.linalg.norm(normal, axis=1, keepdims=True) + 1e-12
    inward = ((points - points.mean(0)) * normal).sum(1) < 0
    normal[inward] *= -1
    return normal


def edge_offset(pairs):
    """(offset, tx, ty, points used) for [(image, points)], points N x 2 as (x, y) in pixel units with
    pixel (0, 0) centred at (0, 0)."""
    rows, dist = [], []
    steps = np.arange(-SEARCH_PX, SEARCH_PX + STEP_PX / 2, STEP_PX)
    for image, points in pairs:
        points = np.asarray(points, float).reshape(-1, 2)
        if len(points) < 3:
            continue
        smooth = ndimage.gaussian_filter(np.asarray(image, float), 0.8)
        gy, gx = ndimage.sobel(smooth, 0), ndimage.sobel(smooth, 1)
        weak = 0.075 * np.abs(gx).max()  # points with no edge near them say nothing
        for p, n in zip(points, outward_normals(points)):
            ys, xs = p[1] + steps * n[1], p[0] + steps * n[0]
            along = np.abs(ndimage.map_coordinates(gx, [ys, xs], order=1) * n[0] +
                           ndimage.map_coordinates(gy, [ys, xs], order=1) * n[1])
            k = int(along.argmax())
            if along[k] >= weak:
                rows.append((1.0, n[0], n[1]))
                dist.append(steps[k])
    if len(dist) < 3:
        raise ValueError("no edge found near the contours")
    a, d = np.array(rows), np.array(dist)
    keep = np.ones(len(d), bool)
    for _ in range(5):
        fit = np.linalg.lstsq(a[keep], d[keep], rcond=None)[0]
        keep = np.abs(d - a @ fit) < OUTLIER_PX
    return float(fit[0]), float(fit[1]), float(fit[2]), int(keep.sum())


def sunnybrook_pairs(case, kind):
    """[(image, points)] of a Sunnybrook case's contours/KIND, the points as evaluate.py reads them."""
    import pydicom
    from pydicom.pixel_data_handlers.util import apply_modality_lut
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from evaluate import sunnybrook_contours
    pairs = []
    for number, points in sorted(sunnybrook_contours(case, kind).items()):
        ds = pydicom.dcmread(os.path.join(case, "dicom", f"{number}.dcm"))
        pairs.append((apply_modality_lut(ds.pixel_array, ds), points))
    return pairs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sunnybrook", action="append", default=[], metavar="CASE", required=True)
    args = ap.parse_args()
    import pydicom
    for case in args.sunnybrook:
        for kind in ("i-contours", "o-contours"):
            try:
                pairs = sunnybrook_pairs(case, kind)
                offset, tx, ty, used = edge_offset(pairs)
            except (OSError, ValueError, pydicom.errors.InvalidDicomError) as e:
                sys.exit(f"contour_offset.py: {case} {kind}: {e}")
            print(f"{os.path.basename(case.rstrip('/'))} {kind}: edges {offset:+.2f} px outside the contours, "
                  f"translated by x {tx:+.2f}, y {ty:+.2f} px ({used} points of {len(pairs)} images)")


if __name__ == "__main__":
    main()
