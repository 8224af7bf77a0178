"""The references the cardiac figures are measured against: tools/cardiac/contour_offset.py finds where
contours lie against the image's edges (nothing on a phantom's exact outlines, a known shift when one
is added), and Sunnybrook's contours, as tools/cardiac/evaluate.py reads them, lie on their images'
edges, where the files' own coordinates lie most of a pixel off."""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import check, main, skip_unless_shared  # noqa: E402

sys.path.insert(0, "/usr/lib/python3/dist-packages")
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "cardiac"))
from contour_offset import edge_offset, sunnybrook_pairs  # noqa: E402
from evaluate import SUNNYBROOK_ORIGIN  # noqa: E402

import cardiac_mr_phantom as phantom  # noqa: E402


def phantom_pools(n=160, px=1.5):
    """[(image, exact LV pool outline)] of mid-ventricular phantom slices at ED and ES, with noise."""
    rng = np.random.default_rng(3)
    out = []
    for s in (1, 3, 5):
        for p in (0, phantom.PHASES // 2):
            img = phantom.in_pixels(phantom.anatomy(s, p, n, px)[1], n)
            radius = phantom.pool_radius_mm(s, p) / px
            a = np.linspace(0, 2 * math.pi, 240, endpoint=False)
            outline = np.stack([n / 2 + 4 + radius * np.cos(a), n / 2 + radius * np.sin(a)], 1)
            out.append((img + rng.normal(0, 25, img.shape), outline))
    return out


def test_edge_offset_on_a_phantom():
    pools = phantom_pools()
    offset, tx, ty, used = edge_offset(pools)
    check(used > 1000, f"{used} points")
    check(max(abs(offset), abs(tx), abs(ty)) < 0.1, f"exact outlines: offset {offset:.2f}, x {tx:.2f}, y {ty:.2f}")
    # outlines moved by (+0.5, -0.3) pixel and grown by 0.4: the edges are found (-0.5, +0.3) and 0.4 inside them
    moved = []
    for img, outline in pools:
        centre = outline.mean(0)
        grown = centre + (outline - centre) * (1 + 0.4 / np.linalg.norm(outline - centre, axis=1, keepdims=True))
        moved.append((img, grown + [0.5, -0.3]))
    offset, tx, ty, _ = edge_offset(moved)
    check(abs(tx + 0.5) < 0.1 and abs(ty - 0.3) < 0.1 and abs(offset + 0.4) < 0.1,
          f"moved outlines: offset {offset:.2f}, x {tx:.2f}, y {ty:.2f}")


def test_sunnybrook_contours_lie_on_their_images():
    """The endocardial contours of both cases: as read (origin at the image's corner), within half a
    pixel of the blood-muscle edges in x and y; as the files' numbers stand, over half a pixel off in
    both (the error evaluate.py made before it knew the origin)."""
    for name in ("SCD0000101", "SCD0000201"):
        case = skip_unless_shared(os.path.join("data", "sunnybrook", name))
        if not case:
            return
        pairs = sunnybrook_pairs(case, "i-contours")
        _, tx, ty, _ = edge_offset(pairs)
        check(abs(tx) < 0.5 and abs(ty) < 0.5, f"{name} as read: edges moved x {tx:.2f}, y {ty:.2f} px")
        _, tx, ty, _ = edge_offset([(img, points + SUNNYBROOK_ORIGIN) for img, points in pairs])
        check(tx < -0.5 and ty < -0.5, f"{name} in the files' numbers: edges moved x {tx:.2f}, y {ty:.2f} px")


if __name__ == "__main__":
    main([test_edge_offset_on_a_phantom, test_sunnybrook_contours_lie_on_their_images])
