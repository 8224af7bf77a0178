#include "dimse/audit_events.h"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmnet/assoc.h>

#include "audit/audit_trail.h"
#include "dicom/text.h"
#include "dimse/store_scu.h"

namespace atrium::dimse {
namespace {

std::string value(const DcmDataset* ds, const DcmTagKey& tag) {
  return ds ? dicom::trim(dicom::getRaw(*const_cast<DcmDataset*>(ds), tag)) : std::string();
}

}  // namespace

void auditRequest(T_ASC_Association* assoc, audit::Event event, char action, const DcmDataset* identifier, bool success,
                  const std::string& detail, const std::vector<SendItem>* sent) {
  if (!audit::installed()) return;
  audit::Message m;
  m.event = event;
  m.action = action;
  m.outcome = success ? audit::Outcome::Success : audit::Outcome::MinorFailure;
  m.user = assoc->params->DULparams.callingAPTitle;
  m.address = assoc->params->DULparams.callingPresentationAddress;
  m.patientId = value(identifier, DCM_PatientID);
  m.patientName = value(identifier, DCM_PatientName);
  m.studyUid = value(identifier, DCM_StudyInstanceUID);
  if (m.patientId.empty() && sent && !sent->empty()) {
    DcmFileFormat ff;  // the header only: elements over 4 KiB (pixel data) are not read
    if (ff.loadFile(sent->front().file.c_str(), EXS_Unknown, EGL_noChange, 4096).good()) {
      m.patientId = value(ff.getDataset(), DCM_PatientID);
      m.patientName = value(ff.getDataset(), DCM_PatientName);
      if (m.studyUid.empty()) m.studyUid = value(ff.getDataset(), DCM_StudyInstanceUID);
    }
  }
  m.detail = detail;
  audit::record(std::move(m));
}

}  // namespace atrium::dimse
