#pragma once
// Per-segment means of a relaxation map: the myocardium of the map's slice from the short-axis
// contours of the same study (an RT Structure Set: LV blood pool, LV myocardium, RV blood pool, at
// end-diastole), placed on the map's pixels through patient coordinates, divided into AHA segments.
#include <optional>
#include <string>
#include <vector>

#include "cardiac/aha_segments.h"
#include "cardiac/structure_set_reader.h"
#include "mapping/relaxation_map.h"

namespace atrium::mapping {

struct SegmentValue {
  int segment = 0;  // AHA 1..16
  std::string name;
  double meanMs = 0, sdMs = 0;
  int pixels = 0;
};

struct MapSegments {
  cardiac::SliceLevel level = cardiac::SliceLevel::Mid;
  double offPlaneMm = 0;  // distance of the contours' plane from the map's
  std::vector<SegmentValue> segments;
  double myocardiumMeanMs = 0;
  int myocardiumPixels = 0;
};

// none (why says) when no contour lies in the map's plane, or the RV is not outlined there.
std::optional<MapSegments> segmentMap(const RelaxationMap& map, const std::vector<cardiac::StoredContour>& contours,
                                      std::string& why);

}  // namespace atrium::mapping
