#include "dose/dose_report.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include <cstdlib>

#include "dicom/text.h"

namespace atrium::dose {
namespace {

// DCM codes of TID 10011 (CT) and 10001/10003 (projection X-ray).
constexpr const char* kCtAcquisition = "113819";
constexpr const char* kXrayEvent = "113706";
constexpr const char* kProtocol = "125203";
constexpr const char* kCtdivol = "113830";
constexpr const char* kDlp = "113838";
constexpr const char* kScanLength = "113825";
constexpr const char* kDap = "122130";
constexpr const char* kDoseRp = "113738";

// The concept name of a content item: its code value when the scheme is DCM.
std::string conceptCode(DcmItem& item) {
  DcmItem* name = nullptr;
  if (item.findAndGetSequenceItem(DCM_ConceptNameCodeSequence, name, 0).bad() || !name) return "";
  if (dicom::stringValue(*name, DCM_CodingSchemeDesignator) != "DCM") return "";
  return dicom::stringValue(*name, DCM_CodeValue);
}

std::optional<double> number(DcmItem& item) {
  DcmItem* mv = nullptr;
  if (item.findAndGetSequenceItem(DCM_MeasuredValueSequence, mv, 0).bad() || !mv) return std::nullopt;
  const std::string v = dicom::stringValue(*mv, DCM_NumericValue);
  if (v.empty()) return std::nullopt;
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (end == v.c_str()) return std::nullopt;
  return d;
}

// Every value below `item` (nested containers too) into the event.
void collect(DcmItem& item, DoseEvent& e) {
  DcmSequenceOfItems* content = nullptr;
  if (item.findAndGetSequence(DCM_ContentSequence, content).bad() || !content) return;
  for (unsigned long i = 0; i < content->card(); ++i) {
    DcmItem& c = *content->getItem(i);
    const std::string code = conceptCode(c), type = dicom::stringValue(c, DCM_ValueType);
    if (code == kProtocol) {
      if (type == "TEXT") {
        e.protocol = dicom::stringValue(c, DCM_TextValue);
      } else if (type == "CODE") {
        DcmItem* v = nullptr;
        if (c.findAndGetSequenceItem(DCM_ConceptCodeSequence, v, 0).good() && v)
          e.protocol = dicom::stringValue(*v, DCM_CodeMeaning);
      }
    } else if (code == kCtdivol) {
      e.ctdivolMgy = number(c);
    } else if (code == kDlp) {
      e.dlpMgyCm = number(c);
    } else if (code == kScanLength) {
      e.scanLengthMm = number(c);
    } else if (code == kDap) {
      e.dapGyM2 = number(c);
    } else if (code == kDoseRp) {
      e.doseRpGy = number(c);
    } else if (type == "CONTAINER") {
      collect(c, e);
    }
  }
}

void findEvents(DcmItem& item, DoseReport& report) {
  DcmSequenceOfItems* content = nullptr;
  if (item.findAndGetSequence(DCM_ContentSequence, content).bad() || !content) return;
  for (unsigned long i = 0; i < content->card(); ++i) {
    DcmItem& c = *content->getItem(i);
    const std::string code = conceptCode(c);
    if (code == kCtAcquisition || code == kXrayEvent) {
      DoseEvent e;
      e.kind = code == kCtAcquisition ? "CT" : "XRAY";
      collect(c, e);
      report.events.push_back(std::move(e));
    } else if (dicom::stringValue(c, DCM_ValueType) == "CONTAINER") {
      findEvents(c, report);
    }
  }
}

}  // namespace

bool isDoseReportSopClass(const std::string& uid) {
  return uid == "1.2.840.10008.5.1.4.1.1.88.67";  // X-Ray Radiation Dose SR (CT dose reports use it too)
}

std::optional<DoseReport> readDoseReport(const std::filesystem::path& file) {
  DcmFileFormat ff;
  if (ff.loadFile(file.c_str()).bad()) return std::nullopt;
  DcmDataset& ds = *ff.getDataset();
  if (!isDoseReportSopClass(dicom::stringValue(ds, DCM_SOPClassUID))) return std::nullopt;
  DoseReport r;
  r.sopUid = dicom::stringValue(ds, DCM_SOPInstanceUID);
  r.studyUid = dicom::stringValue(ds, DCM_StudyInstanceUID);
  r.patientId = dicom::stringValue(ds, DCM_PatientID);
  r.studyDate = dicom::stringValue(ds, DCM_StudyDate);
  findEvents(ds, r);
  if (r.events.empty()) return std::nullopt;
  return r;
}

}  // namespace atrium::dose
