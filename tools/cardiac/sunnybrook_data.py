"""Sunnybrook Cardiac Data (../shared/data/sunnybrook/CASE) as training slices: the images that the
experts outlined (endocardium and epicardium, at ED and ES), resampled to the training pixel size by
their DICOM Pixel Spacing. Sunnybrook outlines no RV, so outside the epicardium a pixel is background
or RV, nobody says which: it gets the label NOT_LV, which the training loss reads as "either". Where
only the endocardium is outlined (most end-systolic images), outside it is NOT_POOL: background, RV or
myocardium."""
import os
import sys

sys.path.insert(0, "/usr/lib/python3/dist-packages")
import numpy as np  # noqa: E402
import pydicom  # noqa: E402
from pydicom.pixel_data_handlers.util import apply_modality_lut  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cardiac_model import PIXEL_MM, normalise, resample, source_coordinates  # noqa: E402
from evaluate import polygon, sunnybrook_contours  # noqa: E402

NOT_LV = 4  # background or RV blood pool
NOT_POOL = 5  # background, RV blood pool or LV myocardium
PARTIAL = {NOT_LV: (0, 1), NOT_POOL: (0, 1, 2)}  # label -> the classes it may be


def resample_labels(labels, shape):
    """Nearest neighbour onto the grid cardiac_model.resample makes (its source coordinates)."""
    def axis(n_out, n_in):
        return np.floor(source_coordinates(n_out, n_in) + 0.5).astype(int)

    return labels[axis(shape[0], labels.shape[0])][:, axis(shape[1], labels.shape[1])]


def load_case(folder):
    """[(normalised image at PIXEL_MM, labels 2/3/NOT_LV/NOT_POOL, heart centre)] for every image
    with an endocardial contour."""
    inner, outer = sunnybrook_contours(folder, "i-contours"), sunnybrook_contours(folder, "o-contours")
    out = []
    for n in sorted(inner):
        ds = pydicom.dcmread(os.path.join(folder, "dicom", f"{n}.dcm"))
        pixels = apply_modality_lut(ds.pixel_array, ds).astype(np.float64)
        labels = np.full(pixels.shape, NOT_LV if n in outer else NOT_POOL, np.int64)
        if n in outer:
            labels[polygon(outer[n], pixels.shape)] = 2
        labels[polygon(inner[n], pixels.shape)] = 3
        sy, sx = (float(v) / PIXEL_MM for v in ds.PixelSpacing)
        image = resample(normalise(pixels), sy, sx)
        labels = resample_labels(labels, image.shape)
        rows, cols = np.nonzero(labels == 3)
        out.append((image, labels, (rows.mean(), cols.mean())))
    if not out:
        raise SystemExit(f"train.py: no endocardial contour in {folder}")
    return out
