#include "mapping/map_sr.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcvrda.h>
#include <dcmtk/dcmdata/dcvrtm.h>
#include <dcmtk/dcmsr/cmr/tid1500.h>
#include <dcmtk/dcmsr/dsrdoc.h>

#include <cstdio>

#include "dicom/uid.h"

namespace atrium::mapping {
namespace {

void ok(const OFCondition& c, const char* what) {
  if (c.bad()) throw MappingError(std::string("map SR: ") + what + ": " + c.text());
}

std::string fixed(double v, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// The quantity as a concept: DCM's T1, T2 and T2* (CID 7203's codes for these values).
DSRCodedEntryValue quantity(MapKind k) {
  switch (k) {
    case MapKind::Molli:
    case MapKind::Sasha:
      return {"113063", "DCM", "T1"};
    case MapKind::T2:
      return {"113065", "DCM", "T2"};
    case MapKind::T2Star:
      return {"113064", "DCM", "T2*"};
  }
  return {"113063", "DCM", "T1"};
}

}  // namespace

std::string writeMapReport(const std::vector<MapReport>& maps, const std::filesystem::path& file) {
  if (maps.empty() || !maps.front().map) throw MappingError("map SR: nothing to report");
  TID1500_MeasurementReport report(CID7021_MeasurementReportDocumentTitles::ImagingMeasurementReport);
  ok(report.setLanguage(CID5000_Languages::English), "language");
  ok(report.getObservationContext().addDeviceObserver(dicom::newUid().c_str(), "Atrium relaxation maps", "Atrium",
                                                      "variable projection fit"),
     "observer");
  ok(report.addProcedureReported(DSRCodedEntryValue("241620005", "SCT", "Magnetic resonance imaging of heart"),
                                 OFFalse),
     "procedure");
  bool first = true;
  auto group = [&](const std::string& tracking, const DSRCodedEntryValue& site,
                   const std::vector<std::pair<DSRCodedEntryValue, std::pair<double, const char*>>>& values) {
    ok(report.addIndividualMeasurements(!first), "measurement group");
    first = false;
    auto& g = report.getIndividualMeasurements();
    ok(g.setTrackingIdentifier(tracking.substr(0, 64).c_str()), "tracking identifier");
    ok(g.setTrackingUniqueIdentifier(dicom::newUid().c_str()), "tracking UID");
    ok(g.addFindingSite(site), "finding site");
    for (const auto& [name, value] : values) {
      const bool ms = std::string(value.second) == "ms";
      CMR_TID1501_in_TID1500::MeasurementValue v(
          fixed(value.first, 1).c_str(),
          CID7181_AbstractMultiDimensionalImageModelComponentUnits(
              DSRCodedEntryValue(value.second, "UCUM", ms ? "millisecond" : "percent")),
          OFFalse);
      ok(g.addMeasurement(CID7469_GenericIntensityAndSizeMeasurements(name), v, OFFalse, OFFalse), "measurement");
    }
  };
  const DSRCodedEntryValue heart("80891009", "SCT", "Heart"), myocardium("74281007", "SCT", "Myocardium");
  for (const auto& m : maps) {
    const std::string kind = kindName(m.map->kind);
    const auto q = quantity(m.map->kind);
    group(kind + " map, fitted pixels (median)", heart, {{q, {m.map->medianMs, "ms"}}});
    if (m.segments) {
      group(kind + " myocardium, " + cardiac::levelName(m.segments->level) + " slice", myocardium,
            {{q, {m.segments->myocardiumMeanMs, "ms"}}});
      for (const auto& s : m.segments->segments)
        group(kind + " AHA " + std::to_string(s.segment) + " " + s.name, myocardium, {{q, {s.meanMs, "ms"}}});
    }
    for (const auto& [label, r] : m.rois)
      if (r.pixels) group(kind + " ROI " + label, heart, {{q, {r.meanMs, "ms"}}});
    if (m.ecvMedianPct)
      group("ECV", myocardium,
            {{DSRCodedEntryValue("ECV", "99ATRIUM", "Extracellular volume fraction"), {*m.ecvMedianPct, "%"}}});
  }
  DSRDocument doc;
  ok(doc.setTreeFromRootTemplate(report, OFTrue), "tree");
  ok(doc.changeDocumentType(DSRTypes::DT_ComprehensiveSR), "document type");
  DcmFileFormat source;
  const auto& img = maps.front().map->reference;
  ok(source.loadFileUntilTag(img.file.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect,
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
  doc.createNewSeriesInStudy(img.studyUid.c_str(), OFFalse);
  doc.setSeriesNumber("930", OFFalse);
  doc.setSeriesDescription("Atrium map measurements", OFFalse);
  doc.setManufacturer("Atrium", OFFalse);
  doc.setSpecificCharacterSet("ISO_IR 192", OFFalse);
  for (const auto& m : maps)
    for (const auto& s : m.map->sources)
      ok(doc.getCurrentRequestedProcedureEvidence().addItem(s.studyUid.c_str(), s.seriesUid.c_str(),
                                                            s.sopClassUid.c_str(), s.sopInstanceUid.c_str(), OFFalse),
         "evidence");
  doc.completeDocument();
  DcmFileFormat ff;
  ok(doc.write(*ff.getDataset()), "write");
  ok(ff.saveFile(file.c_str(), EXS_LittleEndianExplicit), "save");
  std::string sop;
  doc.getSOPInstanceUID(sop);
  return sop;
}

}  // namespace atrium::mapping
