#pragma once
// The values of relaxation maps as a TID 1500 SR: per map the median of the fitted pixels, the
// myocardium's mean and the AHA segments' means when the slice's contours were found, the ROIs
// asked for, and ECV; the Parametric Maps as evidence.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "mapping/ecv.h"
#include "mapping/map_segments.h"

namespace atrium::mapping {

struct MapReport {
  const RelaxationMap* map = nullptr;
  std::string parametricMapUid;  // the written Parametric Map (evidence), "" if none
  std::optional<MapSegments> segments;
  std::vector<std::pair<std::string, RegionStats>> rois;  // label, values
  std::optional<double> ecvMedianPct;
};

// Returns the new SOP Instance UID; throws MappingError.
std::string writeMapReport(const std::vector<MapReport>& maps, const std::filesystem::path& file);

}  // namespace atrium::mapping
