#pragma once
// Minimal 2D images and masks for the analysis (row-major, x = column, y = row).
#include <algorithm>
#include <cstdint>
#include <vector>

namespace atrium::cardiac {

template <typename T>
struct Grid {
  int width = 0, height = 0;
  std::vector<T> data;
  Grid() = default;
  Grid(int w, int h, T fill = T()) : width(w), height(h), data(std::size_t(w) * h, fill) {}
  T& at(int x, int y) { return data[std::size_t(y) * width + x]; }
  const T& at(int x, int y) const { return data[std::size_t(y) * width + x]; }
  bool inside(int x, int y) const { return x >= 0 && y >= 0 && x < width && y < height; }
};

using Image = Grid<float>;
using Mask = Grid<std::uint8_t>;

// Labels of a segmentation.
enum Label : std::uint8_t { kBackground = 0, kLvBlood = 1, kLvMyocardium = 2, kRvBlood = 3 };

// The box around a mask's set pixels, widened by margin and clipped to the image.
struct Box {
  int x0 = 0, y0 = 0, x1 = -1, y1 = -1;
  bool empty() const { return x1 < x0; }
};
Box boundingBox(const Mask& m, int margin = 0);

// Connected components (4-connected) of a mask: a label per pixel (0 = outside), and their count.
int components(const Mask& m, Grid<int>& labels);
// Fills the holes of a mask (background not connected to the border).
void fillHoles(Mask& m);
// Morphological closing / opening with a disk of the given radius (pixels).
Mask dilate(const Mask& m, int radius);
Mask erode(const Mask& m, int radius);
// Gaussian-like smoothing (three box blurs).
Image blur(const Image& img, int radius);
// Otsu's threshold of values.
float otsu(const std::vector<float>& values);
// The middle value (the upper of the two middle ones of an even count); T() for none.
template <typename T>
T median(std::vector<T> v) {
  if (v.empty()) return T();
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}
std::size_t count(const Mask& m);

}  // namespace atrium::cardiac
