#pragma once
// What an X-Ray or CT Radiation Dose SR (TID 10001 / 10011) says, read by concept codes from its
// content tree: per irradiation event the protocol, CTDIvol, DLP and scan length (CT) or the dose
// area product and reference point dose (projection X-ray).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace atrium::dose {

struct DoseEvent {
  std::string kind;  // CT | XRAY
  std::string protocol;
  std::optional<double> ctdivolMgy, dlpMgyCm, scanLengthMm, dapGyM2, doseRpGy;
};

struct DoseReport {
  std::string sopUid, studyUid, patientId, studyDate;
  std::vector<DoseEvent> events;
};

// The report of a dose SR file; nullopt when the file is not one (SOP class, template) or has no
// irradiation event.
std::optional<DoseReport> readDoseReport(const std::filesystem::path& file);

bool isDoseReportSopClass(const std::string& sopClassUid);

}  // namespace atrium::dose
