#pragma once
// The DICOM JSON model (PS3.18 F.2) read into a DCMTK data set. DCMTK 3.6.7 writes JSON but
// cannot read it; worklist items (and later STOW-RS metadata) arrive as JSON.
#include <nlohmann/json_fwd.hpp>
#include <stdexcept>
#include <string>

class DcmItem;

namespace atrium::dicom {

// A bad attribute: what names it ("(0040,0100)[0] (0040,0002) ScheduledProcedureStepStartDate")
// and why.
struct DicomJsonError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// Adds every attribute of the JSON object to item, values as UTF-8 (the caller sets
// Specific Character Set ISO_IR 192). BulkDataURI values are refused (nothing to fetch them from).
void fromDicomJson(const nlohmann::json& object, DcmItem& item);

// "(gggg,eeee) Keyword" for messages.
std::string describeTag(unsigned group, unsigned element);

}  // namespace atrium::dicom
