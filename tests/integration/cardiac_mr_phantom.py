"""A short-axis cine phantom that looks like bright-blood (SSFP) MR, for the learned segmenter, which
reads the flat phantom of test_cardiac_analysis poorly (its wall is brighter than the tissue round it
and its "RV" wraps two thirds round the LV, as no heart does).

The same ellipsoidal LV as that phantom (pool radius 26 mm at end-diastole, 17 mm at end-systole,
8 mm wall, closing to the apex over 10 slices 8 mm apart, 20 phases); an RV that is a crescent on the
septum's side, turned 25 degrees towards the front, whose horns meet the LV 70 degrees above and
below it (the insertion points), 30 mm across at end-diastole and 15 mm at end-systole, over the 7
basal slices. Round them what a short-axis image shows: a dark myocardial septum and RV free wall
(3 mm), bright epicardial fat, dark lungs either side, muscle, subcutaneous fat, air. Every pixel is
the mean of 3 x 3 samples, so edges have partial volume and the true volumes are the exact areas
(fractions of pixels), not pixel counts; a smooth coil bias and Gaussian noise on top."""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, "/usr/lib/python3/dist-packages")
import numpy as np  # noqa: E402
from pydicom.uid import generate_uid  # noqa: E402
from test_cardiac_analysis import GAP, PHASES, SLICES, cine_image, true_results  # noqa: E402

SUBSAMPLES = 3
BLOOD, MYOCARDIUM, MUSCLE, FAT, LUNG = 1100, 290, 330, 800, 40


def systole(p):
    """How far phase p is from end-diastole (0) to end-systole (1)."""
    return 0.5 - 0.5 * math.cos(2 * math.pi * p / PHASES)


def pool_radius_mm(s, p):
    """The LV pool's radius in slice s (0 = base) at phase p: the truth anatomy() draws."""
    return (26 - 9 * systole(p)) * math.sqrt(max(0.0, 1 - (s / (SLICES - 0.5)) ** 2))


def in_pixels(samples, n):
    """An n x n image whose every pixel is the mean of its SUBSAMPLES x SUBSAMPLES samples."""
    return samples.reshape(n, SUBSAMPLES, n, SUBSAMPLES).mean(axis=(1, 3))


def anatomy(s, p, n, px):
    """Labels (1 LV pool, 2 myocardium, 3 RV pool) and intensities of slice s (0 = base) at phase p,
    sampled SUBSAMPLES x SUBSAMPLES times per pixel."""
    y, x = (np.mgrid[0:n * SUBSAMPLES, 0:n * SUBSAMPLES] + 0.5) / SUBSAMPLES - 0.5
    cx, cy = n / 2 + 4, n / 2
    t = systole(p)
    ex, ey = (x - n / 2) * px, (y - n / 2) * px  # mm from the image's centre
    hx, hy = (x - cx) * px, (y - cy) * px  # mm from the LV's long axis
    a, b = 0.47 * n * px, 0.36 * n * px
    body = (ex / a) ** 2 + (ey / b) ** 2 <= 1
    inner = (ex / (a - 10)) ** 2 + (ey / (b - 10)) ** 2 <= 1  # inside 10 mm of subcutaneous fat
    img = np.zeros(x.shape)
    img[body] = FAT
    img[inner] = MUSCLE
    lungs = (((hx + 80) / 42) ** 2 + ((hy + 5) / 62) ** 2 <= 1) | (((hx - 75) / 38) ** 2 + ((hy + 10) / 60) ** 2 <= 1)
    img[lungs & inner] = LUNG
    lab = np.zeros(x.shape, np.uint8)
    pool = pool_radius_mm(s, p)
    if pool < 3:
        return lab, img
    r = np.hypot(hx, hy)
    epi = pool + 8
    wall = r <= epi + 2  # the septum reaches 2 mm past the LV's epicardium, to the RV
    fat = r <= epi + 5
    rv = np.zeros(x.shape, bool)
    if s < SLICES - 3:
        across = (30 - 15 * t) * math.sqrt(max(0.0, 1 - (s / (SLICES - 2.5)) ** 2))
        e = epi + 2
        # centre distance and radius of the circle whose part outside the septum is the crescent:
        # `across` wide on its axis, meeting the septum's circle 70 degrees either side of it
        dist = across * (2 * e + across) / (2 * e * (1 - math.cos(math.radians(70))) + 2 * across)
        radius = e + across - dist
        towards = math.radians(25)
        d = np.hypot(hx + dist * math.cos(towards), hy + dist * math.sin(towards))
        rv = (d <= radius) & (r > e)
        wall |= (d <= radius + 3) & (r > epi)
        fat |= (d <= radius + 7) & (r > epi)
    img[fat & inner] = FAT
    img[wall] = MYOCARDIUM
    lab[r <= epi] = 2
    lab[r <= pool] = 1
    lab[rv] = 3
    img[(lab == 1) | (lab == 3)] = BLOOD
    return lab, img


def write_mr_phantom(folder, n=192, px=1.5, seed=1):
    """Writes the cine (one file per image) and returns its true volumes, mass and ED/ES phases."""
    rng = np.random.default_rng(seed)
    os.makedirs(folder)
    study, series, frame = generate_uid(), generate_uid(), generate_uid()
    truth = {k: np.zeros(PHASES) for k in ("lv", "myo", "rv")}
    yy, xx = np.mgrid[0:n, 0:n] / n
    bias = 1.0 + 0.15 * (xx - 0.5) - 0.1 * (yy - 0.5)
    for s in range(SLICES):
        for p in range(PHASES):
            lab, img = anatomy(s, p, n, px)
            img = in_pixels(img, n) * bias + rng.normal(0, 25, (n, n))
            for k, key in ((1, "lv"), (2, "myo"), (3, "rv")):
                truth[key][p] += (lab == k).sum() / SUBSAMPLES ** 2 * px * px * GAP / 1000
            ds = cine_image(img, study, series, frame, [-n * px / 2, -n * px / 2, s * GAP], [1, 0, 0, 0, 1, 0], px,
                            p * 40.0)
            ds.PatientName, ds.PatientID = "Phantom^MR", "PH2"
            ds.InstanceNumber = s * PHASES + p + 1
            ds.save_as(os.path.join(folder, f"{s:02d}_{p:02d}.dcm"), write_like_original=False)
    return true_results(truth)
