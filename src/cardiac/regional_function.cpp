#include "cardiac/regional_function.h"

#include <cmath>
#include <map>

namespace atrium::cardiac {

std::vector<std::pair<int, double>> sliceThickness(const Mask& myo, const Mask& blood, const Mask& rv,
                                                   std::array<double, 2> anterior, SliceLevel level, double pixelMm) {
  const Grid<int> segments = assignSegments({&myo, &blood, &rv, anterior}, level);
  double cx = 0, cy = 0, n = 0;
  for (int y = 0; y < myo.height; ++y)
    for (int x = 0; x < myo.width; ++x)
      if (blood.at(x, y) || myo.at(x, y)) cx += x, cy += y, n += 1;
  if (n == 0) return {};
  cx /= n;
  cy /= n;
  std::map<int, std::pair<double, int>> sums;
  constexpr double kStep = 0.25;  // pixels along a ray
  for (int k = 0; k < 180; ++k) {
    const double a = k * M_PI / 90, dx = std::cos(a), dy = std::sin(a);
    // The first run of myocardium outwards from the centre.
    double start = -1, end = -1;
    int segment = 0;
    for (double t = 0; t < 4 * std::max(myo.width, myo.height); t += kStep) {
      const int x = static_cast<int>(std::lround(cx + t * dx)), y = static_cast<int>(std::lround(cy + t * dy));
      if (!myo.inside(x, y)) break;
      const bool in = myo.at(x, y);
      if (in && start < 0) {
        start = t;
        segment = segments.at(x, y);
      }
      if (!in && start >= 0) {
        end = t;
        break;
      }
    }
    if (start < 0 || end < 0 || segment == 0) continue;
    sums[segment].first += (end - start) * pixelMm;
    sums[segment].second += 1;
  }
  std::vector<std::pair<int, double>> out;
  for (const auto& [s, v] : sums) out.push_back({s, v.first / v.second});
  return out;
}

RegionalFunction regionalFunction(const CineStack& stack, const Segmentation& seg, int ed, int es) {
  RegionalFunction result;
  // Slices with LV myocardium at ED, ordered from the base (the larger cavity) to the apex.
  std::vector<std::size_t> withLv;
  for (std::size_t s = 0; s < seg.size(); ++s) {
    bool any = false;
    for (auto v : seg[s][ed].data) any = any || v == kLvMyocardium;
    if (any) withLv.push_back(s);
  }
  if (withLv.empty()) {
    result.note = "no LV myocardium at end-diastole";
    return result;
  }
  auto blood = [&](std::size_t s) {
    std::size_t n = 0;
    for (auto v : seg[s][ed].data) n += v == kLvBlood;
    return n;
  };
  if (withLv.size() > 1 && blood(withLv.front()) < blood(withLv.back())) std::reverse(withLv.begin(), withLv.end());
  std::map<int, std::pair<double, int>> edSum, esSum;
  bool anyRv = false;
  for (std::size_t i = 0; i < withLv.size(); ++i) {
    const std::size_t s = withLv[i];
    const SliceLevel level =
        withLv.size() < 3 ? SliceLevel::Mid : static_cast<SliceLevel>(std::min<std::size_t>(2, i * 3 / withLv.size()));
    const CineImage& img = stack.slices[s].phases[ed];
    const Vec3 front{0, -1, 0};  // LPS: the patient's front is -y
    const std::array<double, 2> anterior{dot(front, img.rowDir), dot(front, img.colDir)};
    for (auto [phase, sums] : {std::pair{ed, &edSum}, std::pair{es, &esSum}}) {
      const Mask& labels = seg[s][phase];
      Mask myo(labels.width, labels.height, 0), lv(labels.width, labels.height, 0), rv(labels.width, labels.height, 0);
      for (std::size_t p = 0; p < labels.data.size(); ++p) {
        myo.data[p] = labels.data[p] == kLvMyocardium;
        lv.data[p] = labels.data[p] == kLvBlood;
        rv.data[p] = labels.data[p] == kRvBlood;
      }
      // The RV of end-diastole places the septum at both phases (the RV may vanish at ES on a slice).
      if (phase == es) {
        const Mask& edLabels = seg[s][ed];
        for (std::size_t p = 0; p < rv.data.size(); ++p) rv.data[p] = edLabels.data[p] == kRvBlood;
      }
      if (count(rv) == 0) continue;
      anyRv = true;
      try {
        for (const auto& [segment, mm] :
             sliceThickness(myo, lv, rv, anterior, level, std::sqrt(img.rowSpacing * img.colSpacing))) {
          (*sums)[segment].first += mm;
          (*sums)[segment].second += 1;
        }
      } catch (const CardiacError&) {
        // No myocardium on this slice at this phase: nothing to add.
      }
    }
  }
  if (!anyRv) {
    result.note = "no RV outlined: the septum, and so the segments, cannot be placed";
    return result;
  }
  for (const auto& [segment, v] : edSum) {
    SegmentThickness t;
    t.segment = segment;
    t.name = segmentName(segment);
    t.edMm = v.first / v.second;
    if (auto e = esSum.find(segment); e != esSum.end()) t.esMm = e->second.first / e->second.second;
    t.thickeningPct = t.edMm > 0 ? 100 * (t.esMm - t.edMm) / t.edMm : 0;
    result.segments.push_back(t);
  }
  return result;
}

}  // namespace atrium::cardiac
