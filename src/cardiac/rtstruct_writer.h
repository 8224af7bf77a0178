#pragma once
// The segmentation as an RT Structure Set (Implicit VR Little Endian): one ROI per structure with
// its contours on every image they were drawn on, referencing the source series and Frame of
// Reference; patient and study attributes copied from the source images.
#include <filesystem>
#include <string>

#include "cardiac/cine_stack.h"
#include "cardiac/segmenter.h"

namespace atrium::cardiac {

// Returns the new SOP Instance UID; throws CardiacError when the file cannot be written.
std::string writeRtStruct(const CineStack& stack, const Segmentation& seg, const std::filesystem::path& file);

}  // namespace atrium::cardiac
