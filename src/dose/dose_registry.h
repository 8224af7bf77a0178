#pragma once
// Dose reports kept per event in the index, checked against the notification levels (an alert per
// study, protocol and quantity), and read back per patient.
#include <string>
#include <vector>

#include "config/config.h"
#include "dose/dose_report.h"
#include "index/index_db.h"

namespace atrium::dose {

struct DoseAlert {
  std::string studyUid, patientId, protocol, quantity;  // quantity: DLP | CTDIvol
  double value = 0, level = 0;
};

// Replaces the report's events (a report sent again counts once) and returns the new alerts.
std::vector<DoseAlert> recordDoseReport(index::IndexDatabase& db, const DoseReport& report,
                                        const std::vector<DoseNotificationLevel>& levels);

struct StudyDose {
  std::string studyUid, studyDate;
  std::vector<DoseEvent> events;
  double totalDlpMgyCm = 0, totalDapGyM2 = 0;
};
struct PatientDose {
  std::vector<StudyDose> studies;  // by study date
  double cumulativeDlpMgyCm = 0, cumulativeDapGyM2 = 0;
  std::vector<DoseAlert> alerts;
};
// A patient's dose (studies on or after `from`, YYYYMMDD, when given).
PatientDose patientDose(const index::IndexDatabase& db, const std::string& patientId, const std::string& from);

// Wildcard match of a protocol name ('*', '?', case-insensitive).
bool protocolMatches(const std::string& pattern, const std::string& protocol);

}  // namespace atrium::dose
