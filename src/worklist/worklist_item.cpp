#include "worklist/worklist_item.h"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcelem.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "dicom/dicom_json.h"
#include "dicom/text.h"

namespace atrium::worklist {
namespace {

std::string value(DcmItem& item, const DcmTagKey& key) { return dicom::trim(dicom::getRaw(item, key)); }
std::string name(DcmItem& item, const DcmTagKey& key) { return dicom::trimPersonName(value(item, key)); }

// Every string value checked against its VR (DA digits, TM ranges, lengths...), nested items too.
void checkValues(DcmItem& item, const std::string& prefix) {
  for (unsigned long i = 0; i < item.card(); ++i) {
    DcmElement* e = item.getElement(i);
    const DcmTag& t = e->getTag();
    std::string where = prefix + dicom::describeTag(t.getGTag(), t.getETag());
    if (e->getVR() == EVR_SQ) {
      auto* seq = static_cast<DcmSequenceOfItems*>(e);
      for (unsigned long j = 0; j < seq->card(); ++j)
        checkValues(*seq->getItem(j), where + "[" + std::to_string(j) + "] ");
      continue;
    }
    if (!e->isaString() || e->getLength() == 0) continue;
    OFCondition c = e->checkValue("1-n", false);
    if (c.bad()) {
      OFString v;
      e->getOFStringArray(v);
      throw WorklistError(where + ": '" + std::string(v.c_str()) + "' is not a valid " + DcmVR(e->getVR()).getVRName() +
                          " value (" + c.text() + ")");
    }
  }
}

// "HHMMSS" from a TM value of any precision ("14" → "140000"); fallback when empty.
std::string sixDigitTime(const std::string& tm, const char* fallback) {
  if (tm.empty()) return fallback;
  std::string digits;
  for (char c : tm) {
    if (c == '.') break;
    if (c >= '0' && c <= '9') digits += c;
  }
  digits.resize(6, '0');
  return digits;
}

}  // namespace

std::unique_ptr<DcmDataset> itemDataset(const std::string& json) {
  auto ds = std::make_unique<DcmDataset>();
  ds->putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 192");
  dicom::fromDicomJson(nlohmann::json::parse(json), *ds);
  ds->putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 192");  // whatever the item said: JSON is UTF-8
  return ds;
}

WorklistItem parseWorklistItem(const std::string& jsonText) {
  nlohmann::json parsed;
  try {
    parsed = nlohmann::json::parse(jsonText);
  } catch (const std::exception& e) {
    throw WorklistError(std::string("not valid JSON: ") + e.what());
  }
  // A one-element array (as QIDO and findscu --json print) is accepted as the item itself.
  if (parsed.is_array() && parsed.size() == 1) parsed = parsed[0];
  if (!parsed.is_object()) throw WorklistError("a worklist item must be one DICOM JSON object");
  parsed.erase("00080005");  // the text is UTF-8 whatever it claims

  WorklistItem w;
  w.json = parsed.dump();
  std::unique_ptr<DcmDataset> ds;
  try {
    ds = itemDataset(w.json);
  } catch (const dicom::DicomJsonError& e) {
    throw WorklistError(e.what());
  }
  checkValues(*ds, "");

  w.patientId = value(*ds, DCM_PatientID);
  if (w.patientId.empty()) throw WorklistError("(0010,0020) PatientID is missing or empty");
  w.patientName = name(*ds, DCM_PatientName);
  w.issuer = value(*ds, DCM_IssuerOfPatientID);
  w.birthDate = value(*ds, DCM_PatientBirthDate);
  w.sex = value(*ds, DCM_PatientSex);
  w.accession = value(*ds, DCM_AccessionNumber);
  w.referringPhysician = name(*ds, DCM_ReferringPhysicianName);
  w.requestingPhysician = name(*ds, DCM_RequestingPhysician);
  w.admissionId = value(*ds, DCM_AdmissionID);
  w.requestedProcedureId = value(*ds, DCM_RequestedProcedureID);
  w.priority = value(*ds, DCM_RequestedProcedurePriority);
  w.studyUid = value(*ds, DCM_StudyInstanceUID);

  DcmSequenceOfItems* sps = nullptr;
  if (ds->findAndGetSequence(DCM_ScheduledProcedureStepSequence, sps).bad() || !sps || sps->card() == 0)
    throw WorklistError("(0040,0100) ScheduledProcedureStepSequence is missing or has no item");
  for (unsigned long i = 0; i < sps->card(); ++i) {
    DcmItem& it = *sps->getItem(i);
    ScheduledStep s;
    s.startDate = value(it, DCM_ScheduledProcedureStepStartDate);
    if (s.startDate.empty())
      throw WorklistError("(0040,0100)[" + std::to_string(i) +
                          "] (0040,0002) ScheduledProcedureStepStartDate is missing or empty");
    s.modality = value(it, DCM_Modality);
    s.stationAet = value(it, DCM_ScheduledStationAETitle);
    s.stationName = value(it, DCM_ScheduledStationName);
    s.startTime = value(it, DCM_ScheduledProcedureStepStartTime);
    s.endDate = value(it, DCM_ScheduledProcedureStepEndDate);
    s.endTime = value(it, DCM_ScheduledProcedureStepEndTime);
    s.performingPhysician = name(it, DCM_ScheduledPerformingPhysicianName);
    s.location = value(it, DCM_ScheduledProcedureStepLocation);
    s.stepId = value(it, DCM_ScheduledProcedureStepID);
    s.status = value(it, DCM_ScheduledProcedureStepStatus);
    std::string last = s.endDate.empty() ? s.startDate + sixDigitTime(s.startTime, "000000")
                                         : s.endDate + sixDigitTime(s.endTime, "235959");
    w.lastStepAt = std::max(w.lastStepAt, last);
    w.steps.push_back(std::move(s));
  }
  return w;
}

}  // namespace atrium::worklist
