#include "mapping/ecv.h"

#include <algorithm>
#include <cmath>

#include "cardiac/image2d.h"

namespace atrium::mapping {

EcvResult computeEcv(const RelaxationMap& native, const RelaxationMap& post, double hematocrit,
                     std::optional<BloodRegion> blood) {
  if (native.width != post.width || native.height != post.height)
    throw MappingError("ECV: the native and post-contrast maps differ in size");
  EcvResult e;
  e.width = native.width;
  e.height = native.height;
  const std::size_t n = std::size_t(e.width) * e.height;
  std::vector<float> dR1(n, 0);  // 1/s
  std::vector<float> positives;
  for (std::size_t p = 0; p < n; ++p)
    if (native.fitted[p] && post.fitted[p] && native.valueMs[p] > 0 && post.valueMs[p] > 0) {
      dR1[p] = 1000.f / post.valueMs[p] - 1000.f / native.valueMs[p];
      if (dR1[p] > 0) positives.push_back(dR1[p]);
    }
  cardiac::Mask pool(e.width, e.height, 0);
  if (blood) {
    forEachInDisk(e.width, e.height, blood->row, blood->column, blood->radius,
                  [&](std::size_t p) { pool.data[p] = dR1[p] > 0; });
  } else if (!positives.empty()) {
    std::sort(positives.begin(), positives.end());
    const float high = positives[positives.size() * 995 / 1000];
    cardiac::Mask candidates(e.width, e.height, 0);
    for (std::size_t p = 0; p < n; ++p) candidates.data[p] = dR1[p] >= 0.7f * high;
    cardiac::Grid<int> labels;
    const int count = cardiac::components(candidates, labels);
    std::vector<int> sizes(count + 1, 0);
    for (int l : labels.data) ++sizes[l];
    int best = 0;
    for (int l = 1; l <= count; ++l)
      if (sizes[l] > (best ? sizes[best] : 0)) best = l;
    for (std::size_t p = 0; p < n; ++p) pool.data[p] = best && labels.data[p] == best;
  }
  double sumNative = 0, sumPost = 0, sumD = 0;
  for (std::size_t p = 0; p < n; ++p)
    if (pool.data[p]) {
      sumNative += native.valueMs[p];
      sumPost += post.valueMs[p];
      sumD += dR1[p];
      ++e.bloodPixels;
    }
  if (e.bloodPixels < 3 || sumD <= 0) throw MappingError("ECV: no blood pool found (give --blood ROW,COLUMN,RADIUS)");
  e.bloodNativeT1Ms = sumNative / e.bloodPixels;
  e.bloodPostT1Ms = sumPost / e.bloodPixels;
  const double bloodD = sumD / e.bloodPixels;
  e.ecvPct.assign(n, 0);
  e.valid.assign(n, 0);
  std::vector<float> values;
  for (std::size_t p = 0; p < n; ++p)
    if (native.fitted[p] && post.fitted[p] && !pool.data[p]) {
      e.ecvPct[p] = static_cast<float>((1 - hematocrit) * dR1[p] / bloodD * 100);
      e.valid[p] = 1;
      values.push_back(e.ecvPct[p]);
    }
  e.medianPct = cardiac::median(values);
  return e;
}

double ecvRegionMean(const EcvResult& e, int row, int column, int radius) {
  double sum = 0;
  int count = 0;
  forEachInDisk(e.width, e.height, row, column, radius, [&](std::size_t p) {
    if (e.valid[p]) sum += e.ecvPct[p], ++count;
  });
  return count ? sum / count : 0;
}

}  // namespace atrium::mapping
