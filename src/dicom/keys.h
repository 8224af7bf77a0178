#pragma once
// Query keys given on a command line: "PatientName=Doe*", "(0010,0010)=Doe*", "0010,0020", ...
#include <memory>
#include <string>
#include <vector>

class DcmDataset;

namespace atrium::dicom {

// Build an identifier: QueryRetrieveLevel, the keys (a keyword or tag, '=' and a value, or
// just the name for a return key), Specific Character Set ISO_IR 192 if any value is non-ASCII.
// Throws std::invalid_argument naming the bad key.
std::unique_ptr<DcmDataset> buildIdentifier(const std::string& level, const std::vector<std::string>& keySpecs);

// A Modality Worklist identifier: no Query/Retrieve Level; attributes of a scheduled step
// (Modality, ScheduledStationAETitle, ScheduledProcedureStep...) go into the first item of the
// Scheduled Procedure Step Sequence, as do DCMTK-style paths "ScheduledProcedureStepSequence[0].X".
std::unique_ptr<DcmDataset> buildWorklistIdentifier(const std::vector<std::string>& keySpecs);

// Print a response identifier as "Keyword=value" pairs, values decoded to UTF-8.
std::string formatIdentifier(DcmDataset& identifier);
// The DICOM JSON model (PS3.18 F.2) of a data set, values decoded to UTF-8.
std::string toDicomJson(DcmDataset& identifier);

}  // namespace atrium::dicom
