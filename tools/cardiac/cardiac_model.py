"""The learned segmenter's definition shared by training and by the tests: the network, and the
one preprocessing that src/cardiac/learned_preprocess.cpp mirrors (tested to give the same tensor).

Preprocessing, for one 2D image (any pixel type, Modality LUT applied):
  1. scale: divide by the image's 99th percentile (the value at index floor(0.99 * (n - 1)) of the
     sorted pixels; 1 when that is <= 0) and clip to [0, 1];
  2. resample (bilinear, half-pixel centres as OpenCV's INTER_LINEAR) to PIXEL_MM per pixel;
  3. cut CROP x CROP pixels around the heart (zero outside the image).
ACDC stores no pixel spacing: its pixels are taken as PIXEL_MM (they are 1.3-1.9 mm), and training
augments scale widely enough to cover the difference.
"""
import sys

sys.path.insert(0, "/usr/lib/python3/dist-packages")
import numpy as np  # noqa: E402

try:  # the network needs PyTorch (scripts/install-deps.sh --training); the preprocessing does not
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    torch = None

PIXEL_MM = 1.5
CROP = 128
CLASSES = ("background", "rv_blood", "lv_myocardium", "lv_blood")  # ACDC's label values 0..3
MODEL_VERSION = "atrium-cardiac-unet-3"


def normalise(image):
    """Step 1: intensities to [0, 1] by the image's own 99th percentile."""
    flat = np.sort(np.asarray(image, np.float64).ravel())
    p99 = flat[int(np.floor(0.99 * (flat.size - 1)))] if flat.size else 0.0
    if p99 <= 0:
        p99 = 1.0
    return np.clip(np.asarray(image, np.float64) / p99, 0.0, 1.0).astype(np.float32)


def source_coordinates(n_out, n_in):
    """Where each of n_out resampled pixels lies on the n_in input pixels (OpenCV's mapping, clamped
    at the edges): what resample() interpolates at, and where label maps take their nearest pixel."""
    s = (np.arange(n_out, dtype=np.float64) + 0.5) * (n_in / n_out) - 0.5
    return np.clip(s, 0, n_in - 1)


def resample(image, scale_y, scale_x):
    """Step 2: bilinear resampling by scale_y, scale_x (output pixels per input pixel; the DICOM
    pixel spacing / PIXEL_MM) to floor(h * scale_y + 0.5) x floor(w * scale_x + 0.5) pixels, with
    OpenCV's mapping: source coordinate = (x + 0.5) * (n_in / n_out) - 0.5, clamped at the edges."""
    h, w = image.shape
    oh, ow = max(1, int(np.floor(h * scale_y + 0.5))), max(1, int(np.floor(w * scale_x + 0.5)))

    def axis(n_out, n_in):
        s = source_coordinates(n_out, n_in)
        i0 = np.floor(s).astype(int)
        i1 = np.minimum(i0 + 1, n_in - 1)
        return i0, i1, (s - i0).astype(np.float32)

    y0, y1, fy = axis(oh, h)
    x0, x1, fx = axis(ow, w)
    img = np.asarray(image, np.float32)
    top = img[y0][:, x0] * (1 - fx) + img[y0][:, x1] * fx
    bottom = img[y1][:, x0] * (1 - fx) + img[y1][:, x1] * fx
    return (top * (1 - fy)[:, None] + bottom * fy[:, None]).astype(np.float32)


def preprocess(image, row_spacing_mm, col_spacing_mm, centre_row, centre_col):
    """Steps 1-3 for one DICOM image: the network's input (CROP x CROP float32). The centre is in
    the resampled image's pixels."""
    x = resample(normalise(image), row_spacing_mm / PIXEL_MM, col_spacing_mm / PIXEL_MM)
    return crop(x, centre_row, centre_col)


def crop(image, centre_row, centre_col, size=CROP):
    """Step 3: size x size pixels whose top-left is (centre - size // 2), zero outside."""
    out = np.zeros((size, size), np.float32)
    r0, c0 = int(centre_row) - size // 2, int(centre_col) - size // 2
    h, w = image.shape
    rs, cs = max(r0, 0), max(c0, 0)
    re, ce = min(r0 + size, h), min(c0 + size, w)
    if rs < re and cs < ce:
        out[rs - r0:re - r0, cs - c0:ce - c0] = image[rs:re, cs:ce]
    return out


def write_card(onnx_path, **extra):
    """The model's card beside it (<model>.json): what `atrium` checks before using the file
    (version, SHA-256, pixel size, crop), and how it was made."""
    import hashlib
    import json
    with open(onnx_path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    card = {"version": MODEL_VERSION, "sha256": digest, "pixel_mm": PIXEL_MM, "crop": CROP,
            "classes": list(CLASSES), "licence": "CC BY-NC-SA 4.0 (trained on ACDC)"}
    card.update(extra)
    with open(onnx_path + ".json", "w") as f:
        json.dump(card, f, indent=1, default=float)
        f.write("\n")


if torch is not None:
    def _block(cin, cout):
        return nn.Sequential(
            nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
            nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


    class UNet(nn.Module):
        """A plain 2D U-Net: 4 poolings, ConvTranspose up-sampling, logits for CLASSES."""

        def __init__(self, base=16, depth=4, classes=len(CLASSES)):
            super().__init__()
            chans = [base * 2 ** i for i in range(depth + 1)]
            self.down = nn.ModuleList([_block(1, chans[0])] + [_block(chans[i], chans[i + 1]) for i in range(depth)])
            self.up = nn.ModuleList([nn.ConvTranspose2d(chans[i + 1], chans[i], 2, stride=2) for i in reversed(range(depth))])
            self.dec = nn.ModuleList([_block(chans[i] * 2, chans[i]) for i in reversed(range(depth))])
            self.head = nn.Conv2d(chans[0], classes, 1)

        def forward(self, x):
            skips = []
            for i, block in enumerate(self.down):
                x = block(x if i == 0 else F.max_pool2d(x, 2))
                skips.append(x)
            x = skips.pop()
            for up, dec in zip(self.up, self.dec):
                x = dec(torch.cat([up(x), skips.pop()], 1))
            return self.head(x)
