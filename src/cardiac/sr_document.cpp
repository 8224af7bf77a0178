#include "cardiac/sr_document.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcvrda.h>
#include <dcmtk/dcmdata/dcvrtm.h>

#include <cstdio>

namespace atrium::cardiac {
namespace {
void ok(const OFCondition& c, const char* what) {
  if (c.bad()) throw std::runtime_error(std::string("SR: ") + what + ": " + c.text());
}
}  // namespace

std::string decimalText(double v, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

void makeReportDocument(DSRDocument& doc, TID1500_MeasurementReport& report, const std::filesystem::path& sourceImage,
                        const SrSeries& series) {
  ok(doc.setTreeFromRootTemplate(report, OFTrue), "tree");  // included templates expanded for writing
  ok(doc.changeDocumentType(DSRTypes::DT_ComprehensiveSR), "document type");
  DcmFileFormat source;
  ok(source.loadFileUntilTag(sourceImage.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect,
                             DCM_PixelData),
     "read source");
  DcmDataset& src = *source.getDataset();
  auto get = [&](const DcmTagKey& k) {
    OFString s;
    src.findAndGetOFStringArray(k, s);
    return s;
  };
  doc.setPatientName(get(DCM_PatientName), OFFalse);
  doc.setPatientID(get(DCM_PatientID), OFFalse);
  if (DcmDate::checkStringValue(get(DCM_PatientBirthDate)).good())
    doc.setPatientBirthDate(get(DCM_PatientBirthDate), OFFalse);
  doc.setPatientSex(get(DCM_PatientSex), OFFalse);
  if (DcmDate::checkStringValue(get(DCM_StudyDate), "1").good()) doc.setStudyDate(get(DCM_StudyDate), OFFalse);
  if (DcmTime::checkStringValue(get(DCM_StudyTime), "1").good()) doc.setStudyTime(get(DCM_StudyTime), OFFalse);
  doc.setStudyID(get(DCM_StudyID), OFFalse);
  doc.setAccessionNumber(get(DCM_AccessionNumber), OFFalse);
  doc.setReferringPhysicianName(get(DCM_ReferringPhysicianName), OFFalse);
  doc.createNewSeriesInStudy(series.studyUid.c_str(), OFFalse);
  doc.setSeriesNumber(series.seriesNumber.c_str(), OFFalse);
  doc.setSeriesDescription(series.seriesDescription.c_str(), OFFalse);
  doc.setManufacturer("Atrium", OFFalse);
  doc.setSpecificCharacterSet("ISO_IR 192", OFFalse);
}

void addEvidence(DSRDocument& doc, const std::string& studyUid, const std::string& seriesUid,
                 const std::string& sopClassUid, const std::string& sopInstanceUid) {
  ok(doc.getCurrentRequestedProcedureEvidence().addItem(studyUid.c_str(), seriesUid.c_str(), sopClassUid.c_str(),
                                                        sopInstanceUid.c_str(), OFFalse),
     "evidence");
}

std::string saveReportDocument(DSRDocument& doc, const std::filesystem::path& file) {
  doc.completeDocument();
  DcmFileFormat ff;
  ok(doc.write(*ff.getDataset()), "write");
  ok(ff.saveFile(file.c_str(), EXS_LittleEndianExplicit), "save");
  std::string sop;
  doc.getSOPInstanceUID(sop);
  return sop;
}

void addNumber(CMR_TID1501_in_TID1500& group, const DSRCodedEntryValue& name, double value, int decimals,
               const char* ucum, const char* unitMeaning) {
  CMR_TID1501_in_TID1500::MeasurementValue v(
      decimalText(value, decimals).c_str(),
      CID7181_AbstractMultiDimensionalImageModelComponentUnits(DSRCodedEntryValue(ucum, "UCUM", unitMeaning)), OFFalse);
  ok(group.addMeasurement(CID7469_GenericIntensityAndSizeMeasurements(name), v, OFFalse, OFFalse), "measurement");
}

}  // namespace atrium::cardiac
