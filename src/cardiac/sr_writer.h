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

// A corrected version: the person who made it (a second observer beside the device) and the
// report it replaces (Predecessor Documents).
struct ReportAuthor {
  std::string observer;
  std::string predecessorStudyUid, predecessorSeriesUid, predecessorSopClassUid, predecessorSopUid;
};

// Returns the new SOP Instance UID; throws CardiacError.
// method: the segmentation method and model version, named as the observer device's model.
std::string writeMeasurementReport(const CineStack& stack, const FunctionResults& r, const SegReference& seg,
                                   const std::filesystem::path& file, const std::string& method = "",
                                   const ReportAuthor* author = nullptr);

// The signed copy of a report: Verification Flag VERIFIED with the verifying observer, the
// organisation and the time; a new SOP Instance UID in the same series. Returns it; throws CardiacError.
std::string signMeasurementReport(const std::filesystem::path& in, const std::filesystem::path& out,
                                  const std::string& observer, const std::string& organization);

}  // namespace atrium::cardiac
