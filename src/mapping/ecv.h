#pragma once
// Extracellular volume from a native and a post-contrast T1 map of the same slice:
// ECV = (1 - haematocrit) x (1/T1post - 1/T1native) / (the same in the blood pool), in percent.
#include <optional>
#include <vector>

#include "mapping/relaxation_map.h"

namespace atrium::mapping {

struct BloodRegion {
  int row, column, radius;
};

struct EcvResult {
  int width = 0, height = 0;
  std::vector<float> ecvPct;        // 0 where either map has no fit
  std::vector<std::uint8_t> valid;  // 1 where ecvPct is a value
  double bloodNativeT1Ms = 0, bloodPostT1Ms = 0, medianPct = 0;
  int bloodPixels = 0;
};

// blood: a disk in the LV cavity; none: the blood pool is found as the largest connected region
// with the strongest relaxation-rate change (the contrast agent stays in the blood). Throws
// MappingError when the maps do not share the geometry or no blood pool is found.
EcvResult computeEcv(const RelaxationMap& native, const RelaxationMap& post, double hematocrit,
                     std::optional<BloodRegion> blood);

double ecvRegionMean(const EcvResult& e, int row, int column, int radius);

}  // namespace atrium::mapping
