#pragma once
// The segmentation as an RT Structure Set (Implicit VR Little Endian): one ROI per structure with
// its contours on every image they were drawn on, referencing the source series and Frame of
// Reference; patient and study attributes copied from the source images.
#include <filesystem>
#include <string>

#include "cardiac/cine_stack.h"
#include "cardiac/contours.h"
#include "cardiac/segmenter.h"

namespace atrium::cardiac {

// Any set of closed contours on images, one ROI each (what the flow measurement writes too).
struct ImageContour {
  const CineImage* image;
  std::vector<PixelPoint> points;  // (column, row)
};
struct StructureRoi {
  std::string name, interpretedType, colour;  // e.g. "Aorta", "VESSEL", "255\\0\\0"
  std::vector<ImageContour> contours;
};
struct StructureSetInfo {
  std::string studyUid, frameOfReferenceUid, label, seriesDescription, seriesNumber;
};
// Returns the new SOP Instance UID; throws CardiacError. source: patient and study come from it.
std::string writeStructureSet(const CineImage& source, const StructureSetInfo& info,
                              const std::vector<StructureRoi>& rois, const std::filesystem::path& file);

// Returns the new SOP Instance UID; throws CardiacError when the file cannot be written.
std::string writeRtStruct(const CineStack& stack, const Segmentation& seg, const std::filesystem::path& file);

}  // namespace atrium::cardiac
