#pragma once
// From weighted MR images to a relaxation map: which images go together (one map per slice
// position), which time each was acquired at (and where that time was found), the pixel-wise fit
// with the background masked out.
#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cardiac/mr_images.h"
#include "mapping/relaxation_fit.h"

namespace atrium::mapping {

// Bad input (no usable images, fewer than 3 times, mixed geometry): one line naming what is missing.
struct MappingError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct MapInput {
  MapKind kind = MapKind::Molli;
  std::vector<cardiac::MrImage> images;  // one slice position, in the order of times
  std::vector<double> timesMs;
  std::string timeSource;  // "(0018,0082) Inversion Time", "Image Comments", ...
};

// Groups the images by slice position; kind: as asked, else from what varies (echo times: T2*
// for gradient echo, else T2; inversion times: MOLLI). Throws MappingError.
std::vector<MapInput> selectMapInputs(const std::vector<cardiac::MrImage>& images, std::optional<MapKind> kind);

struct RelaxationMap {
  MapKind kind = MapKind::Molli;
  int width = 0, height = 0;
  std::vector<float> valueMs;        // 0 where masked or not fitted
  std::vector<float> r2;             // 0 where masked or not fitted
  std::vector<std::uint8_t> fitted;  // 1 where the value is a fit
  cardiac::MrImage reference;        // the geometry and the patient/study
  std::vector<cardiac::MrImage> sources;
  std::vector<double> timesMs;
  std::string timeSource;
  int pixelsFitted = 0;
  double medianMs = 0, meanR2 = 0;
};

RelaxationMap computeMap(const MapInput& input, const FitOptions& options = {});

// Calls f(pixel index) for each pixel of a width x height image within the disk (row, column,
// radius in pixels), clipped to the image.
template <typename F>
void forEachInDisk(int width, int height, int row, int column, int radius, F f) {
  for (int y = std::max(0, row - radius); y <= std::min(height - 1, row + radius); ++y)
    for (int x = std::max(0, column - radius); x <= std::min(width - 1, column + radius); ++x)
      if ((x - column) * (x - column) + (y - row) * (y - row) <= radius * radius) f(std::size_t(y) * width + x);
}

// Mean and standard deviation of the fitted values within a disk (row, column, radius in pixels).
struct RegionStats {
  double meanMs = 0, sdMs = 0;
  int pixels = 0;
};
RegionStats regionStats(const RelaxationMap& map, int row, int column, int radius);

}  // namespace atrium::mapping
