#pragma once
// The learned segmenter's input, defined once: tools/cardiac/cardiac_model.py holds the same
// three steps for training, and a test checks that both give the same tensor.
//   1. intensities divided by the image's 99th percentile (value at index floor(0.99 (n - 1)) of
//      the sorted pixels; 1 when <= 0), clipped to [0, 1];
//   2. bilinear resampling (OpenCV INTER_LINEAR) to kModelPixelMm per pixel, to
//      floor(n * spacing / kModelPixelMm + 0.5) pixels per axis;
//   3. a kModelCrop square around the heart, zero outside the image.
#include "cardiac/image2d.h"

namespace atrium::cardiac {

constexpr double kModelPixelMm = 1.5;
constexpr int kModelCrop = 128;

Image normaliseIntensity(const Image& raw);
// scaleY, scaleX: output pixels per input pixel (the image's row/column spacing / kModelPixelMm).
Image resampleImage(const Image& img, double scaleY, double scaleX);
// The size x size pixels whose top-left is (centreRow - size / 2, centreCol - size / 2).
Image cropAround(const Image& img, int centreRow, int centreCol, int size = kModelCrop);
// Steps 1 and 2 (the crop is taken once the heart has been found).
Image modelGrid(const Image& raw, double rowSpacingMm, double colSpacingMm);

}  // namespace atrium::cardiac
