#include "cardiac/temporal_consistency.h"

#include <algorithm>
#include <cmath>

#include "cardiac/shapes.h"

namespace atrium::cardiac {

namespace {

constexpr int kWindow = 3;  // phases either side

double area(const Mask& labels, Label label) {
  return double(std::count(labels.data.begin(), labels.data.end(), std::uint8_t(label)));
}

double lvArea(const Mask& labels) { return area(labels, kLvBlood); }

// Median of the non-empty areas within the window around p (p itself left out); 0 if fewer than two.
double cycleArea(const std::vector<double>& areas, int p) {
  const int n = static_cast<int>(areas.size());
  std::vector<double> around;
  for (int k = -kWindow; k <= kWindow; ++k) {
    double a = areas[((p + k) % n + n) % n];
    if (k != 0 && a > 0) around.push_back(a);
  }
  if (around.size() < 2) return 0;
  std::sort(around.begin(), around.end());
  std::size_t m = around.size() / 2;
  return around.size() % 2 ? around[m] : (around[m - 1] + around[m]) / 2;
}

}  // namespace

std::vector<bool> inconsistentPhases(const std::vector<double>& areas, double tolerance) {
  const int n = static_cast<int>(areas.size());
  std::vector<bool> bad(n, false);
  int present = static_cast<int>(std::count_if(areas.begin(), areas.end(), [](double a) { return a > 0; }));
  if (n < 3 || 2 * present < n) return bad;
  for (int p = 0; p < n; ++p) {
    if (areas[p] <= 0) {
      bad[p] = true;
      continue;
    }
    double expected = cycleArea(areas, p);
    bad[p] = expected > 0 && std::abs(areas[p] - expected) > tolerance * expected;
  }
  return bad;
}

int enforceTemporalConsistency(Segmentation& seg, const GuidedSegmentation& resegment) {
  int replaced = 0;
  for (int s = 0; s < static_cast<int>(seg.size()); ++s) {
    auto& phases = seg[s];
    const int n = static_cast<int>(phases.size());
    std::vector<double> areas(n);
    for (int p = 0; p < n; ++p) areas[p] = lvArea(phases[p]);
    // A few passes: a run of leaks hides its middle from the window until its ends are mended.
    for (int pass = 0; pass < 3; ++pass) {
      std::vector<bool> bad = inconsistentPhases(areas);
      if (std::find(bad.begin(), bad.end(), true) == bad.end()) break;
      // Outwards from the consistent phases: each round settles the bad phases next to a settled one.
      for (int round = 0; round < n; ++round) {
        std::vector<int> ready;
        for (int p = 0; p < n; ++p)
          if (bad[p] && (!bad[(p + 1) % n] || !bad[(p + n - 1) % n])) ready.push_back(p);
        if (ready.empty()) break;
        for (int p : ready) {
          // The settled neighbour whose pool agrees best with the cycle around p guides it.
          int prev = (p + n - 1) % n, next = (p + 1) % n;
          double expected = cycleArea(areas, p);
          int guide = bad[prev] ? next : bad[next] ? prev : 0;
          if (!bad[prev] && !bad[next])
            guide = std::abs(areas[prev] - expected) <= std::abs(areas[next] - expected) ? prev : next;
          if (expected <= 0) expected = areas[guide];
          Mask again = resegment(s, p, phases[guide]);
          double area = lvArea(again);
          // Kept only where it agrees with the cycle better, and with its guide (a pool does not
          // change by more than the tolerance from one phase to the next).
          if (area > 0 && std::abs(area - expected) < std::abs(areas[p] - expected) &&
              std::abs(area - areas[guide]) <= kAreaTolerance * areas[guide]) {
            phases[p] = std::move(again);
            areas[p] = area;
            ++replaced;
          }
        }
        for (int p : ready) bad[p] = false;
      }
    }
  }
  return replaced;
}

int enforceSliceConsistency(Segmentation& seg, const GuidedSegmentation& resegment) {
  const int slices = static_cast<int>(seg.size());
  if (slices < 2) return 0;
  const int phases = static_cast<int>(seg[0].size());
  std::vector<std::vector<double>> areas(slices, std::vector<double>(phases));
  std::vector<double> total(phases, 0);
  for (int s = 0; s < slices; ++s)
    for (int p = 0; p < phases; ++p) total[p] += areas[s][p] = lvArea(seg[s][p]);
  int ed = int(std::max_element(total.begin(), total.end()) - total.begin());
  int widest = 0;
  for (int s = 1; s < slices; ++s)
    if (areas[s][ed] > areas[widest][ed]) widest = s;
  int replaced = 0;
  for (int step : {1, -1})
    for (int s = widest + step; s >= 0 && s < slices; s += step) {
      int inner = s - step;
      if (areas[s][ed] <= 0 || areas[inner][ed] <= 0) continue;
      double ratio = areas[s][ed] / areas[inner][ed];
      for (int p = 0; p < phases; ++p) {
        if (areas[inner][p] <= 0 || areas[s][p] <= (ratio + kAreaTolerance) * areas[inner][p]) continue;
        Mask again = resegment(s, p, seg[inner][p]);
        double area = lvArea(again);
        double expected = ratio * areas[inner][p];
        if (area > 0 && std::abs(area - expected) < std::abs(areas[s][p] - expected)) {
          seg[s][p] = std::move(again);
          areas[s][p] = area;
          ++replaced;
        }
      }
    }
  return replaced;
}

void cleanRvOverCycle(Segmentation& seg, int nearPx) {
  for (auto& phases : seg) {
    const int n = static_cast<int>(phases.size());
    std::vector<double> areas(n), present;
    for (int p = 0; p < n; ++p) {
      areas[p] = area(phases[p], kRvBlood);
      if (areas[p] > 0) present.push_back(areas[p]);
    }
    // An RV in fewer than half of the phases is something bright caught now and then (fat, a
    // vessel moving through the slice): the slice has none. (An RV whose area hardly changes is
    // kept: the dilated RV of heart failure barely contracts at the base.)
    if (2 * present.size() < static_cast<std::size_t>(n)) {
      for (auto& labels : phases)
        std::replace(labels.data.begin(), labels.data.end(), std::uint8_t(kRvBlood), std::uint8_t(kBackground));
      continue;
    }
    // Nor does an RV appear for a single phase between two without one.
    std::vector<double> before = areas;
    for (int p = 0; p < n; ++p)
      if (before[p] > 0 && before[(p + n - 1) % n] == 0 && before[(p + 1) % n] == 0) {
        std::replace(phases[p].data.begin(), phases[p].data.end(), std::uint8_t(kRvBlood), std::uint8_t(kBackground));
        areas[p] = 0;
      }
    std::vector<bool> bad = inconsistentPhases(areas);
    for (int p = 0; p < n; ++p) {
      int prev = (p + n - 1) % n, next = (p + 1) % n;
      if (!bad[p] || areas[p] <= cycleArea(areas, p) || (bad[prev] && bad[next])) continue;
      int guide = bad[prev] ? next : prev;
      Mask near = withinDistance(maskOf(phases[guide], kRvBlood), nearPx);
      for (std::size_t i = 0; i < near.data.size(); ++i)
        if (phases[p].data[i] == kRvBlood && !near.data[i]) phases[p].data[i] = kBackground;
    }
  }
}

}  // namespace atrium::cardiac
