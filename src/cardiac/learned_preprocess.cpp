#include "cardiac/learned_preprocess.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace atrium::cardiac {

Image normaliseIntensity(const Image& raw) {
  Image out = raw;
  if (raw.data.empty()) return out;
  std::vector<float> v = raw.data;
  auto k = static_cast<std::size_t>(std::floor(0.99 * double(v.size() - 1)));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  double p99 = v[k];
  if (p99 <= 0) p99 = 1;
  for (auto& x : out.data) x = static_cast<float>(std::clamp(double(x) / p99, 0.0, 1.0));
  return out;
}

Image resampleImage(const Image& img, double scaleY, double scaleX) {
  int h = std::max(1, int(std::floor(img.height * scaleY + 0.5)));
  int w = std::max(1, int(std::floor(img.width * scaleX + 0.5)));
  Image out(w, h);
  cv::Mat src(img.height, img.width, CV_32F, const_cast<float*>(img.data.data()));
  cv::Mat dst(h, w, CV_32F, out.data.data());
  cv::resize(src, dst, cv::Size(w, h), 0, 0, cv::INTER_LINEAR);
  return out;
}

Image cropAround(const Image& img, int centreRow, int centreCol, int size) {
  Image out(size, size, 0.0f);
  int r0 = centreRow - size / 2, c0 = centreCol - size / 2;
  for (int y = std::max(0, r0); y < std::min(img.height, r0 + size); ++y)
    for (int x = std::max(0, c0); x < std::min(img.width, c0 + size); ++x) out.at(x - c0, y - r0) = img.at(x, y);
  return out;
}

Image modelGrid(const Image& raw, double rowSpacingMm, double colSpacingMm) {
  return resampleImage(normaliseIntensity(raw), rowSpacingMm / kModelPixelMm, colSpacingMm / kModelPixelMm);
}

}  // namespace atrium::cardiac
