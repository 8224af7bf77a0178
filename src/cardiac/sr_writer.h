#pragma once
// The measurements as a Comprehensive SR following TID 1500 (Measurement Report), built with
// DCMTK's dcmsr/cmr templates: one TID 1411 group per structure, referencing its segment in the
// SEG and the source series, each measurement coded with its UCUM unit.
#include <filesystem>
#include <string>

#include "cardiac/cine_stack.h"
#include "cardiac/function.h"

namespace atrium::cardiac {

struct SegReference {
  std::string studyUid, seriesUid, sopClassUid, sopInstanceUid;  // the SEG written alongside
};

// Returns the new SOP Instance UID; throws CardiacError.
// method: the segmentation method and model version, named as the observer device's model.
std::string writeMeasurementReport(const CineStack& stack, const FunctionResults& r, const SegReference& seg,
                                   const std::filesystem::path& file, const std::string& method = "");

}  // namespace atrium::cardiac
