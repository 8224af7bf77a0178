#pragma once
// A relaxation map as DICOM: a Parametric Map (32-bit float pixels in ms, Real World Value Mapping
// with the unit ms; DCMTK's dcmpmap) and a colour Secondary Capture with a colour bar for the
// viewers that know no parametric maps. Both in the source's study, each in a new series.
#include <array>
#include <filesystem>
#include <string>

#include "mapping/relaxation_map.h"

namespace atrium::mapping {

// Values: the relaxation times in ms; FitQuality: the coefficient of determination of each pixel's fit.
enum class MapLayer { Values, FitQuality };

// The new SOP Instance UID; throws MappingError.
std::string writeParametricMap(const RelaxationMap& map, const std::filesystem::path& file, int seriesNumber,
                               MapLayer layer = MapLayer::Values);
std::string writeColourMap(const RelaxationMap& map, const std::filesystem::path& file, int seriesNumber);

// The display range of a kind (ms): the colours span it, and the colour bar says it.
// The quantity's code (value, scheme, meaning): DCM 113063 T1, 113065 T2, 113064 T2*.
std::array<const char*, 3> quantityCode(MapKind kind);

struct DisplayRange {
  double lowMs, highMs;
};
DisplayRange displayRange(MapKind kind);

}  // namespace atrium::mapping
