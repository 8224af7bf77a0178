#include "cardiac/sr_writer.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcvrda.h>
#include <dcmtk/dcmdata/dcvrtm.h>
#include <dcmtk/dcmsr/cmr/tid1500.h>
#include <dcmtk/dcmsr/dsrdoc.h>

#include <cstdio>

#include "cardiac/sr_document.h"
#include "dicom/uid.h"

namespace atrium::cardiac {
namespace {

void ok(const OFCondition& c, const char* what) {
  if (c.bad()) throw CardiacError(std::string("SR: ") + what + ": " + c.text());
}

std::string value(double v, int decimals) { return decimalText(v, decimals); }

// Measurement names from the DICOM context groups for cardiac CT/MR: CID 3835 Cardiac Volume
// Measurements (LOINC ED/ES volumes, SCT stroke volume, the ventricle given by the group's finding
// site), CID 3833 Cardiac Ejection Fraction (by MR), LOINC 18087-7 Left Ventricle Mass. The BSA
// indexed values have no code there: Atrium's own scheme (99ATRIUM), as DICOM allows.
DSRCodedEntryValue code(const char* value, const char* scheme, const char* meaning) {
  return DSRCodedEntryValue(value, scheme, meaning);
}

struct Measure {
  DSRCodedEntryValue name;
  double value;
  const char* unit;  // UCUM
  const char* unitMeaning;
  int decimals = 1;  // as in the JSON summary (litres per minute: 2)
};

}  // namespace

std::string writeMeasurementReport(const CineStack& stack, const FunctionResults& r, const SegReference& seg,
                                   const std::filesystem::path& file, const std::string& method,
                                   const ReportAuthor* author) {
  checkFunctionResults(stack, r);
  TID1500_MeasurementReport report(CID7021_MeasurementReportDocumentTitles::ImagingMeasurementReport);
  ok(report.setLanguage(CID5000_Languages::English), "language");
  // The method (and model version) as the device's model name, cut to the LO's 64 characters.
  ok(report.getObservationContext().addDeviceObserver(dicom::newUid().c_str(), "Atrium cardiac analysis", "Atrium",
                                                      method.substr(0, 64).c_str()),
     "observer");
  if (author && !author->observer.empty())
    ok(report.getObservationContext().addPersonObserver(author->observer.substr(0, 64).c_str(), "", {}, {}, OFFalse),
       "person observer");
  ok(report.addProcedureReported(DSRCodedEntryValue("241620005", "SCT", "Magnetic resonance imaging of heart"),
                                 OFFalse),
     "procedure");

  struct Group {
    const char* tracking;
    int segment;  // in the SEG written alongside
    DSRCodedEntryValue site;
    std::vector<Measure> measures;
  };
  std::vector<Group> groups = {
      {"LV blood pool",
       1,
       code("87878005", "SCT", "Left ventricle"),
       {{code("8821-1", "LN", "Left Ventricular ED Volume"), r.lvEdv, "ml", "milliliter"},
        {code("8823-7", "LN", "Left Ventricular ES Volume"), r.lvEsv, "ml", "milliliter"},
        {code("90096001", "SCT", "Stroke Volume"), r.lvSv, "ml", "milliliter"},
        {code("8811-2", "LN", "Left ventricular ejection fraction by MR"), r.lvEf, "%", "percent"}}},
      {"LV myocardium",
       2,
       code("74281007", "SCT", "Myocardium"),
       {{code("18087-7", "LN", "Left Ventricle Mass"), r.lvMassG, "g", "gram"}}},
      {"RV blood pool",
       3,
       code("53085002", "SCT", "Right ventricle"),
       {{code("8822-9", "LN", "Right Ventricular ED Volume"), r.rvEdv, "ml", "milliliter"},
        {code("8824-5", "LN", "Right Ventricular ES Volume"), r.rvEsv, "ml", "milliliter"},
        {code("90096001", "SCT", "Stroke Volume"), r.rvSv, "ml", "milliliter"},
        {code("8818-7", "LN", "Right ventricular ejection fraction by MR"), r.rvEf, "%", "percent"}}}};
  if (r.heartRateBpm > 0) {
    groups[0].measures.push_back({code("8867-4", "LN", "Heart rate"), r.heartRateBpm, "/min", "per minute"});
    groups[0].measures.push_back({code("8741-1", "LN", "Left ventricular Cardiac output"), r.lvCardiacOutputLMin,
                                  "l/min", "liter per minute", 2});
    if (r.lvCardiacIndexLMinM2 > 0)
      groups[0].measures.push_back({code("CI-LV", "99ATRIUM", "Left ventricular cardiac index"), r.lvCardiacIndexLMinM2,
                                    "l/min/m2", "liter per minute per square meter", 2});
  }
  if (r.bsaM2 > 0) {
    groups[0].measures.push_back({code("EDVI-LV", "99ATRIUM", "Left ventricular end-diastolic volume index"),
                                  r.lvEdv / r.bsaM2, "ml/m2", "milliliter per square meter"});
    groups[0].measures.push_back({code("ESVI-LV", "99ATRIUM", "Left ventricular end-systolic volume index"),
                                  r.lvEsv / r.bsaM2, "ml/m2", "milliliter per square meter"});
    groups[1].measures.push_back({code("MASSI-LV", "99ATRIUM", "Left ventricular mass index"), r.lvMassG / r.bsaM2,
                                  "g/m2", "gram per square meter"});
  }
  bool first = true;
  for (const auto& g : groups) {
    ok(report.addVolumetricROIMeasurements(!first), "measurement group");
    first = false;
    auto& m = report.getVolumetricROIMeasurements();
    ok(m.setTrackingIdentifier(g.tracking), "tracking identifier");
    ok(m.setTrackingUniqueIdentifier(dicom::newUid().c_str()), "tracking UID");
    DSRImageReferenceValue segment(seg.sopClassUid.c_str(), seg.sopInstanceUid.c_str());
    segment.getSegmentList().addItem(static_cast<Uint16>(g.segment));
    ok(m.setReferencedSegment(segment), "referenced segment");
    if (!stack.seriesUids.empty())
      ok(m.setSourceSeriesForSegmentation(stack.seriesUids.front().c_str(), OFFalse), "series");
    ok(m.addFindingSite(g.site), "finding site");
    for (const auto& x : g.measures) {
      CMR_TID1411_in_TID1500::MeasurementValue v(
          value(x.value, x.decimals).c_str(),
          CID7181_AbstractMultiDimensionalImageModelComponentUnits(DSRCodedEntryValue(x.unit, "UCUM", x.unitMeaning)),
          OFFalse);
      ok(m.addMeasurement(CID7469_GenericIntensityAndSizeMeasurements(x.name), v, OFFalse, OFFalse), "measurement");
    }
  }

  // Regional function: a group per AHA segment (TID 1501), thickness at ED and ES and thickening.
  for (const auto& t : r.regional.segments) {
    ok(report.addIndividualMeasurements(OFTrue), "regional group");
    auto& g = report.getIndividualMeasurements();
    ok(g.setTrackingIdentifier(("AHA " + std::to_string(t.segment) + " " + t.name).c_str()), "tracking identifier");
    ok(g.setTrackingUniqueIdentifier(dicom::newUid().c_str()), "tracking UID");
    ok(g.addFindingSite(code("74281007", "SCT", "Myocardium")), "finding site");
    const Measure values[] = {
        {code("WT-ED", "99ATRIUM", "Wall thickness at end-diastole"), t.edMm, "mm", "millimeter"},
        {code("WT-ES", "99ATRIUM", "Wall thickness at end-systole"), t.esMm, "mm", "millimeter"},
        {code("WT-THICKENING", "99ATRIUM", "Systolic wall thickening"), t.thickeningPct, "%", "percent"}};
    for (const auto& x : values) addNumber(g, x.name, x.value, x.decimals, x.unit, x.unitMeaning);
  }

  DSRDocument doc;
  try {
    makeReportDocument(doc, report, stack.slices[0].phases[0].file,
                       {stack.studyUid, "904", "Atrium cardiac measurements"});
  } catch (const std::runtime_error& e) {
    throw CardiacError(e.what());
  }
  if (author && !author->predecessorSopUid.empty())
    ok(doc.getPredecessorDocuments().addItem(author->predecessorStudyUid.c_str(), author->predecessorSeriesUid.c_str(),
                                             author->predecessorSopClassUid.c_str(), author->predecessorSopUid.c_str(),
                                             OFFalse),
       "predecessor");
  try {
    // The SEG is the evidence the measurements refer to.
    addEvidence(doc, seg.studyUid, seg.seriesUid, seg.sopClassUid, seg.sopInstanceUid);
    return saveReportDocument(doc, file);
  } catch (const std::runtime_error& e) {
    throw CardiacError(e.what());
  }
}

std::string signMeasurementReport(const std::filesystem::path& in, const std::filesystem::path& out,
                                  const std::string& observer, const std::string& organization) {
  DcmFileFormat source;
  ok(source.loadFile(in.c_str()), "read the report");
  DSRDocument doc;
  ok(doc.read(*source.getDataset()), "read the report");
  ok(doc.verifyDocument(observer.substr(0, 64).c_str(), organization.substr(0, 64).c_str(), "", OFFalse), "verify");
  doc.createNewSOPInstance();
  DcmFileFormat ff;
  ok(doc.write(*ff.getDataset()), "write");
  ok(ff.saveFile(out.c_str(), EXS_LittleEndianExplicit), "save");
  std::string sop;
  doc.getSOPInstanceUID(sop);
  return sop;
}

}  // namespace atrium::cardiac
