#pragma once
// The segmentation as DICOM Segmentation Storage (binary): one coded segment per structure, a frame
// per structure and image where it is present, each frame referencing its source image.
#include <filesystem>
#include <string>

#include "cardiac/cine_stack.h"
#include "cardiac/segmenter.h"

namespace atrium::cardiac {

// Returns the new series and SOP Instance UIDs; throws CardiacError.
struct WrittenSeg {
  std::string seriesUid, sopInstanceUid;
};
WrittenSeg writeSeg(const CineStack& stack, const Segmentation& seg, const std::filesystem::path& file);

}  // namespace atrium::cardiac
