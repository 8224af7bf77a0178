#pragma once
// One audit event as DICOM PS3.15 A.5 describes it (IHE ATNA), and its XML: an <AuditMessage> on
// one line, with the event (DCM 1101xx codes), who asked and from where, and the patient and study
// it concerns.
#include <string>
#include <vector>

namespace atrium::audit {

// DICOM's audit event IDs (CID 400), code value and meaning.
enum class Event {
  ApplicationActivity,   // 110100
  AuditLogUsed,          // 110101
  InstancesAccessed,     // 110103
  InstancesTransferred,  // 110104
  StudyDeleted,          // 110105
  Export,                // 110106
  Import,                // 110107
  PatientRecord,         // 110110
  Query,                 // 110112
  SecurityAlert,         // 110113
  UserAuthentication,    // 110114
};

enum class Outcome { Success = 0, MinorFailure = 4, SeriousFailure = 8, MajorFailure = 12 };

struct Message {
  Event event = Event::ApplicationActivity;
  char action = 'E';  // C create, R read, U update, D delete, E execute
  Outcome outcome = Outcome::Success;
  std::string eventType;  // a DCM code of CID 401/403 ("110120" application start, "110122" login, ...), or empty
  std::string user;       // who asked: an AE title or a web user
  std::string address;    // from where (IP address)
  std::string patientId, patientName, studyUid;
  std::string detail;  // what else helps a reader (the query, the number of instances, why refused)
  std::string time;    // ISO 8601 UTC; set when recorded
};

// The XML on one line (no line breaks inside: one message per line of the audit file).
std::string toXml(const Message& m, const std::string& sourceId);
const char* eventCode(Event e);
const char* eventName(Event e);

}  // namespace atrium::audit
