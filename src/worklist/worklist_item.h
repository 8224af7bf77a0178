#pragma once
// A modality worklist item as the hospital gives it (DICOM JSON, PS3.18 F.2), validated, with the
// values the worklist query matches on. The JSON itself is what answers are built from.
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

class DcmDataset;

namespace atrium::worklist {

struct WorklistError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

struct ScheduledStep {
  std::string modality, stationAet, stationName, startDate, startTime, endDate, endTime, performingPhysician, location,
      stepId, status;
};

struct WorklistItem {
  std::string json;  // normalized DICOM JSON, UTF-8
  std::string patientName, patientId, issuer, birthDate, sex, accession, referringPhysician, requestingPhysician,
      admissionId, requestedProcedureId, priority, studyUid;
  std::string lastStepAt;  // YYYYMMDDHHMMSS: the latest step's end, or its start when no end is given
  std::vector<ScheduledStep> steps;
};

// Throws WorklistError naming the bad field: not JSON, not the DICOM JSON model, a value that
// does not fit its VR, no Patient ID, no Scheduled Procedure Step Sequence, a step without a
// start date.
WorklistItem parseWorklistItem(const std::string& jsonText);

// The item as a data set (UTF-8, Specific Character Set ISO_IR 192).
std::unique_ptr<DcmDataset> itemDataset(const std::string& json);

}  // namespace atrium::worklist
