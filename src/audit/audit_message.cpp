#include "audit/audit_message.h"

namespace atrium::audit {
namespace {

std::string escaped(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\n':
      case '\r':
      case '\t':
        out += ' ';
        break;
      default:
        if (c >= 0x20) out += static_cast<char>(c);  // other control characters are not XML 1.0
    }
  }
  return out;
}

const char* typeName(const std::string& code) {
  if (code == "110120") return "Application Start";
  if (code == "110121") return "Application Stop";
  if (code == "110122") return "Login";
  if (code == "110123") return "Logout";
  if (code == "110126") return "Node Authentication";
  if (code == "110129") return "Security Configuration";
  if (code == "110132") return "Use of Restricted Function";
  return "";
}

}  // namespace

const char* eventCode(Event e) {
  switch (e) {
    case Event::ApplicationActivity:
      return "110100";
    case Event::AuditLogUsed:
      return "110101";
    case Event::InstancesAccessed:
      return "110103";
    case Event::InstancesTransferred:
      return "110104";
    case Event::StudyDeleted:
      return "110105";
    case Event::Export:
      return "110106";
    case Event::Import:
      return "110107";
    case Event::PatientRecord:
      return "110110";
    case Event::Query:
      return "110112";
    case Event::SecurityAlert:
      return "110113";
    case Event::UserAuthentication:
      return "110114";
  }
  return "";
}

const char* eventName(Event e) {
  switch (e) {
    case Event::ApplicationActivity:
      return "Application Activity";
    case Event::AuditLogUsed:
      return "Audit Log Used";
    case Event::InstancesAccessed:
      return "DICOM Instances Accessed";
    case Event::InstancesTransferred:
      return "DICOM Instances Transferred";
    case Event::StudyDeleted:
      return "DICOM Study Deleted";
    case Event::Export:
      return "Export";
    case Event::Import:
      return "Import";
    case Event::PatientRecord:
      return "Patient Record";
    case Event::Query:
      return "Query";
    case Event::SecurityAlert:
      return "Security Alert";
    case Event::UserAuthentication:
      return "User Authentication";
  }
  return "";
}

std::string toXml(const Message& m, const std::string& sourceId) {
  std::string x = "<AuditMessage><EventIdentification EventActionCode=\"";
  x += m.action;
  x += "\" EventDateTime=\"" + escaped(m.time) + "\" EventOutcomeIndicator=\"" +
       std::to_string(static_cast<int>(m.outcome)) + "\"><EventID csd-code=\"" + eventCode(m.event) +
       "\" codeSystemName=\"DCM\" originalText=\"" + eventName(m.event) + "\"/>";
  if (!m.eventType.empty())
    x += "<EventTypeCode csd-code=\"" + escaped(m.eventType) + "\" codeSystemName=\"DCM\" originalText=\"" +
         typeName(m.eventType) + "\"/>";
  if (!m.detail.empty()) x += "<EventOutcomeDescription>" + escaped(m.detail) + "</EventOutcomeDescription>";
  x += "</EventIdentification>";
  // Who asked (requestor), and the archive itself.
  if (!m.user.empty() || !m.address.empty()) {
    x += "<ActiveParticipant UserID=\"" + escaped(m.user) + "\" UserIsRequestor=\"true\"";
    if (!m.address.empty())
      x += " NetworkAccessPointID=\"" + escaped(m.address) + "\" NetworkAccessPointTypeCode=\"2\"";
    x += "/>";
  }
  x += "<ActiveParticipant UserID=\"" + escaped(sourceId) + "\" UserIsRequestor=\"false\"/>";
  x += "<AuditSourceIdentification AuditSourceID=\"" + escaped(sourceId) + "\"/>";
  if (!m.patientId.empty() || !m.patientName.empty()) {
    x += "<ParticipantObjectIdentification ParticipantObjectID=\"" + escaped(m.patientId) +
         "\" ParticipantObjectTypeCode=\"1\" ParticipantObjectTypeCodeRole=\"1\"><ParticipantObjectIDTypeCode "
         "csd-code=\"2\" codeSystemName=\"RFC-3881\" originalText=\"Patient Number\"/>";
    if (!m.patientName.empty()) x += "<ParticipantObjectName>" + escaped(m.patientName) + "</ParticipantObjectName>";
    x += "</ParticipantObjectIdentification>";
  }
  if (!m.studyUid.empty())
    x += "<ParticipantObjectIdentification ParticipantObjectID=\"" + escaped(m.studyUid) +
         "\" ParticipantObjectTypeCode=\"2\" ParticipantObjectTypeCodeRole=\"3\"><ParticipantObjectIDTypeCode "
         "csd-code=\"110180\" codeSystemName=\"DCM\" originalText=\"Study Instance UID\"/>"
         "</ParticipantObjectIdentification>";
  x += "</AuditMessage>";
  return x;
}

}  // namespace atrium::audit
