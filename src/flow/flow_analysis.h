#pragma once
// Flow through a vessel from a through-plane phase-contrast acquisition: the background phase
// offset removed (a plane fitted to static tissue), the vessel found (the round region whose
// velocity pulsates with the cycle) or seeded, tracked over the phases on the magnitude images,
// single aliasing wraps unwrapped, and per phase flow, velocities and area; per vessel the volumes
// of a beat.
#include <optional>
#include <string>
#include <vector>

#include "flow/phase_contrast.h"

namespace atrium::flow {

struct Seed {
  int row = 0, column = 0;
};

struct VesselPhase {
  double flowMlS = 0, meanVelocityCmS = 0, peakVelocityCmS = 0, areaMm2 = 0;
  std::vector<std::pair<double, double>> contour;  // the ROI's outline, (column, row) pixel centres
};

struct VesselFlow {
  std::string name;  // "aorta", "pulmonary artery", "descending aorta", "vessel 1"...
  Seed seed;
  std::vector<VesselPhase> phases;
  double forwardMl = 0, backwardMl = 0, netMl = 0, regurgitantFractionPct = 0;
  double peakVelocityCmS = 0, cardiacOutputLMin = 0, heartRateBpm = 0;
  int unwrappedPixels = 0;
  double direction = 1;  // +1: forward flow along the slice normal, -1: against it
};

struct FlowResult {
  std::vector<VesselFlow> vessels;
  double backgroundOffsetCmS = 0;  // the fitted plane's mean over the image (what was removed)
  std::vector<double> timesMs;     // trigger time of each phase
  std::vector<std::string> warnings;
};

// seeds empty: the vessels are found (at most two). Throws FlowError.
FlowResult analyzeFlow(const PcAcquisition& acquisition, const std::vector<Seed>& seeds);

// Qp/Qs from vessels named "pulmonary artery" and "aorta" (any acquisitions); none without both.
std::optional<double> qpQs(const std::vector<VesselFlow>& vessels);

}  // namespace atrium::flow
