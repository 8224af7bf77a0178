#pragma once
// The contours of an RT Structure Set (ours or another system's), in patient coordinates, with the
// image each was drawn on: what a relaxation map needs to find the myocardium of its slice.
#include <filesystem>
#include <string>
#include <vector>

#include "cardiac/geometry.h"

namespace atrium::cardiac {

struct StoredContour {
  std::string roiName;
  std::string imageSopUid;  // the Contour Image Sequence's image ("" when none is named)
  std::vector<Vec3> points;
};

// Closed planar contours only; throws CardiacError when the file is not an RT Structure Set.
std::vector<StoredContour> readStructureSet(const std::filesystem::path& file);

}  // namespace atrium::cardiac
