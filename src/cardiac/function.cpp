#include "cardiac/function.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <tuple>

namespace atrium::cardiac {

namespace {
constexpr double kStrokeVolumeMismatch = 0.3;
}  // namespace

double heartRate(double nominalIntervalMs, const std::vector<double>& timesMs) {
  double rr = 0;
  if (nominalIntervalMs > 0) {
    rr = nominalIntervalMs;
  } else if (timesMs.size() >= 2) {
    // Phases evenly spread over the cycle: n phases a step apart cover n steps of it.
    double step = (timesMs.back() - timesMs.front()) / double(timesMs.size() - 1);
    bool increasing = true;
    for (std::size_t i = 1; i < timesMs.size(); ++i) increasing = increasing && timesMs[i] > timesMs[i - 1];
    if (increasing && step > 0) rr = step * double(timesMs.size());
  }
  double bpm = rr > 0 ? 60000.0 / rr : 0;
  return bpm >= 20 && bpm <= 250 ? bpm : 0;  // outside: not a heart rate (no trigger times, ...)
}

void checkFunctionResults(const CineStack& stack, const FunctionResults& r) {
  auto n = static_cast<std::size_t>(stack.phases);
  if (stack.slices.empty() || stack.slices[0].phases.empty() || n == 0 || r.lvVolumeMl.size() != n ||
      r.rvVolumeMl.size() != n || r.myoVolumeMl.size() != n || r.timesMs.size() != n || r.edPhase < 0 ||
      r.esPhase < 0 || r.edPhase >= stack.phases || r.esPhase >= stack.phases)
    throw CardiacError("internal: results do not match the stack's " + std::to_string(n) + " phases");
}

PhaseVolumes phaseVolumes(const CineStack& stack, const Segmentation& seg) {
  PhaseVolumes v;
  std::vector<double> gaps;
  for (std::size_t s = 1; s < stack.slices.size(); ++s)
    gaps.push_back(std::abs(stack.slices[s].position - stack.slices[s - 1].position));
  v.sliceSpacingMm = median(std::move(gaps));
  const std::size_t phases = std::size_t(std::max(0, stack.phases));
  v.lvMl.assign(phases, 0);
  v.rvMl.assign(phases, 0);
  v.myoMl.assign(phases, 0);
  for (std::size_t s = 0; s < seg.size(); ++s) {
    const auto& ref = stack.slices.at(s).phases.at(0);
    double pixelMl = ref.rowSpacing * ref.colSpacing * v.sliceSpacingMm / 1000.0;
    bool lv = false;
    for (std::size_t p = 0; p < phases && p < seg[s].size(); ++p) {
      std::size_t n[4] = {0, 0, 0, 0};
      for (auto label : seg[s][p].data)
        if (label < 4) ++n[label];
      v.lvMl[p] += n[kLvBlood] * pixelMl;
      v.myoMl[p] += n[kLvMyocardium] * pixelMl;
      v.rvMl[p] += n[kRvBlood] * pixelMl;
      lv = lv || n[kLvBlood] > 0;
    }
    v.slicesWithLv += lv;
  }
  return v;
}

std::pair<int, int> endPhases(const std::vector<double>& lvVolumeMl) {
  return {int(std::max_element(lvVolumeMl.begin(), lvVolumeMl.end()) - lvVolumeMl.begin()),
          int(std::min_element(lvVolumeMl.begin(), lvVolumeMl.end()) - lvVolumeMl.begin())};
}

FunctionResults computeFunction(const CineStack& stack, const Segmentation& seg, int edPhase, int esPhase) {
  checkSegmentationShape(stack, seg);
  FunctionResults r;
  auto volumes = phaseVolumes(stack, seg);
  r.sliceSpacingMm = volumes.sliceSpacingMm;
  r.lvVolumeMl = std::move(volumes.lvMl);
  r.myoVolumeMl = std::move(volumes.myoMl);
  r.rvVolumeMl = std::move(volumes.rvMl);
  r.slicesWithLv = volumes.slicesWithLv;
  int phases = stack.phases;
  // Phase times from the middle slice (its last phase stands in for any it lacks).
  const auto& mid = stack.slices[stack.slices.size() / 2].phases;
  for (int p = 0; p < phases; ++p) r.timesMs.push_back(mid[std::min<std::size_t>(p, mid.size() - 1)].triggerTime);
  std::tie(r.edPhase, r.esPhase) = endPhases(r.lvVolumeMl);
  for (int chosen : {edPhase, esPhase})
    if (chosen >= phases)
      throw CardiacError("phase " + std::to_string(chosen) + " is not one of the " + std::to_string(phases) +
                         " phases (counted from 0)");
  if (edPhase >= 0) r.edPhase = edPhase;
  if (esPhase >= 0) r.esPhase = esPhase;
  r.lvEdv = r.lvVolumeMl[r.edPhase];
  r.lvEsv = r.lvVolumeMl[r.esPhase];
  r.lvSv = r.lvEdv - r.lvEsv;
  r.lvEf = r.lvEdv > 0 ? 100.0 * r.lvSv / r.lvEdv : 0;
  r.lvMassG = r.myoVolumeMl[r.edPhase] * 1.05;
  // The RV at the LV's end-diastole and end-systole (the usual convention of one ED and one ES).
  r.rvEdv = r.rvVolumeMl[r.edPhase];
  r.rvEsv = r.rvVolumeMl[r.esPhase];
  r.rvSv = r.rvEdv - r.rvEsv;
  r.rvEf = r.rvEdv > 0 ? 100.0 * r.rvSv / r.rvEdv : 0;
  auto plausible = [&](const char* chamber, double edv, double ef) {
    if (edv <= 0) {
      r.warnings.push_back(std::string("no ") + chamber + " found: no " + chamber + " results");
    } else if (ef < 5 || ef > 85) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "%s ejection fraction %.1f %% is outside 5..85 %%: review the %s contours",
                    chamber, ef, chamber);
      r.warnings.push_back(buf);
    }
  };
  plausible("LV", r.lvEdv, r.lvEf);
  plausible("RV", r.rvEdv, r.rvEf);
  // Without a shunt or regurgitation both ventricles eject the same volume; where they differ by
  // more than 30 % of the larger one and neither is flagged above, say so (the RV's outline is the
  // less certain one).
  if (r.warnings.empty() && r.lvSv > 0 && r.rvSv > 0 &&
      std::abs(r.lvSv - r.rvSv) > kStrokeVolumeMismatch * std::max(r.lvSv, r.rvSv)) {
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "LV and RV stroke volumes differ by %.0f ml (%.0f %%): review the RV contours, or look for "
                  "valve regurgitation or a shunt",
                  std::abs(r.lvSv - r.rvSv), 100 * std::abs(r.lvSv - r.rvSv) / std::max(r.lvSv, r.rvSv));
    r.warnings.push_back(buf);
  }
  if (stack.heightM > 0 && stack.weightKg > 0) r.bsaM2 = std::sqrt(stack.heightM * 100 * stack.weightKg / 3600.0);
  r.heartRateBpm = heartRate(stack.nominalIntervalMs, r.timesMs);
  if (r.heartRateBpm > 0 && r.lvSv > 0) r.lvCardiacOutputLMin = r.lvSv * r.heartRateBpm / 1000.0;
  if (r.lvCardiacOutputLMin > 0 && r.bsaM2 > 0) r.lvCardiacIndexLMinM2 = r.lvCardiacOutputLMin / r.bsaM2;
  r.regional = regionalFunction(stack, seg, r.edPhase, r.esPhase);
  return r;
}

}  // namespace atrium::cardiac
