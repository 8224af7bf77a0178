#include "flow/flow_json.h"

#include <cmath>

namespace atrium::flow {
namespace {
double round2(double v) { return std::round(v * 100) / 100; }
}  // namespace

nlohmann::json flowJson(const std::vector<PcAcquisition>& acquisitions, const std::vector<FlowResult>& results,
                        std::optional<double> qpQs) {
  nlohmann::json out = {
      {"vessels", nlohmann::json::array()}, {"qp_qs", nullptr}, {"warnings", nlohmann::json::array()}};
  if (qpQs) out["qp_qs"] = round2(*qpQs);
  for (std::size_t k = 0; k < results.size() && k < acquisitions.size(); ++k) {
    const auto& r = results[k];
    for (const auto& w : r.warnings) out["warnings"].push_back(w);
    for (const auto& v : r.vessels) {
      nlohmann::json flows = nlohmann::json::array(), mean = nlohmann::json::array(), peak = nlohmann::json::array(),
                     area = nlohmann::json::array(), images = nlohmann::json::array();
      for (std::size_t t = 0; t < v.phases.size(); ++t) {
        const auto& p = v.phases[t];
        flows.push_back(round2(p.flowMlS));
        mean.push_back(round2(p.meanVelocityCmS));
        peak.push_back(round2(p.peakVelocityCmS));
        area.push_back(round2(p.areaMm2));
        const auto& shown = acquisitions[k].magnitude.empty() ? acquisitions[k].phase : acquisitions[k].magnitude;
        images.push_back(shown[t].sopInstanceUid);
      }
      out["vessels"].push_back({{"name", v.name},
                                {"series_uid", acquisitions[k].phase.front().seriesUid},
                                {"seed", {v.seed.row, v.seed.column}},
                                {"forward_volume_ml", round2(v.forwardMl)},
                                {"backward_volume_ml", round2(v.backwardMl)},
                                {"net_volume_ml", round2(v.netMl)},
                                {"regurgitant_fraction_pct", round2(v.regurgitantFractionPct)},
                                {"peak_velocity_cm_s", round2(v.peakVelocityCmS)},
                                {"heart_rate_bpm", round2(v.heartRateBpm)},
                                {"cardiac_output_l_min", round2(v.cardiacOutputLMin)},
                                {"venc_cm_s", acquisitions[k].vencCmS},
                                {"venc_source", acquisitions[k].vencSource},
                                {"background_offset_cm_s", round2(r.backgroundOffsetCmS)},
                                {"unwrapped_pixels", v.unwrappedPixels},
                                {"times_ms", r.timesMs},
                                {"flow_ml_s", flows},
                                {"mean_velocity_cm_s", mean},
                                {"peak_velocity_per_phase_cm_s", peak},
                                {"area_mm2", area},
                                {"images", images}});
    }
  }
  return out;
}

}  // namespace atrium::flow
