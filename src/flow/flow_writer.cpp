#include "flow/flow_writer.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcvrda.h>
#include <dcmtk/dcmdata/dcvrtm.h>
#include <dcmtk/dcmsr/cmr/tid1500.h>
#include <dcmtk/dcmsr/dsrdoc.h>

#include <cstdio>

#include "cardiac/derived_object.h"
#include "cardiac/pdf_page.h"
#include "cardiac/rtstruct_writer.h"
#include "cardiac/sr_document.h"
#include "dicom/text.h"
#include "dicom/uid.h"

namespace atrium::flow {
namespace {

void ok(const OFCondition& c, const char* what) {
  if (c.bad()) throw FlowError(std::string("flow SR: ") + what + ": " + c.text());
}

std::string fixed(double v, int decimals) { return cardiac::decimalText(v, decimals); }

// The vessel as SNOMED CT names it (the finding site of its measurement group).
DSRCodedEntryValue site(const std::string& name) {
  if (name == "aorta") return {"15825003", "SCT", "Aortic structure"};
  if (name == "descending aorta") return {"32672002", "SCT", "Descending aorta structure"};
  if (name == "pulmonary artery") return {"81040000", "SCT", "Pulmonary artery structure"};
  return {"59820001", "SCT", "Blood vessel structure"};
}

const cardiac::MrImage& anatomyImage(const PcAcquisition& a, std::size_t phase) {
  return a.magnitude.empty() ? a.phase[phase] : a.magnitude[phase];
}

std::string writeRoi(const PcAcquisition& a, const FlowResult& r, const std::filesystem::path& file, int index) {
  std::vector<cardiac::StructureRoi> rois;
  static const char* colours[] = {"255\\64\\64", "64\\160\\255", "255\\200\\0"};
  for (std::size_t k = 0; k < r.vessels.size(); ++k) {
    const auto& v = r.vessels[k];
    cardiac::StructureRoi roi{v.name, "ORGAN", colours[k % 3], {}};
    for (std::size_t t = 0; t < v.phases.size(); ++t) {
      std::vector<cardiac::PixelPoint> pts;
      for (const auto& [x, y] : v.phases[t].contour) pts.push_back({x, y});
      if (pts.size() >= 3) roi.contours.push_back({&anatomyImage(a, t), std::move(pts)});
    }
    rois.push_back(std::move(roi));
  }
  const auto& ref = anatomyImage(a, 0);
  cardiac::StructureSetInfo info{ref.studyUid, ref.frameOfReferenceUid, "FLOW", "Atrium flow ROI",
                                 std::to_string(930 + index)};
  return cardiac::writeStructureSet(ref, info, rois, file);
}

struct Measure {
  DSRCodedEntryValue name;
  double value;
  const char* unit;
  const char* unitMeaning;
  int decimals;
};

// Measurement names: LOINC where it has the quantity (heart rate, peak velocity), else Atrium's
// own coding scheme (99ATRIUM), as DICOM allows for quantities no standard code names.
std::vector<Measure> measures(const VesselFlow& v) {
  return {{{"FWD-VOL", "99ATRIUM", "Forward flow volume"}, v.forwardMl, "ml", "milliliter", 1},
          {{"BWD-VOL", "99ATRIUM", "Backward flow volume"}, v.backwardMl, "ml", "milliliter", 1},
          {{"NET-VOL", "99ATRIUM", "Net forward volume"}, v.netMl, "ml", "milliliter", 1},
          {{"RF", "99ATRIUM", "Regurgitant fraction"}, v.regurgitantFractionPct, "%", "percent", 1},
          {{"11726-7", "LN", "Peak Velocity"}, v.peakVelocityCmS, "cm/s", "centimeter per second", 1},
          {{"8867-4", "LN", "Heart rate"}, v.heartRateBpm, "/min", "per minute", 0},
          {{"CO-FLOW", "99ATRIUM", "Cardiac output by flow"}, v.cardiacOutputLMin, "l/min", "liter per minute", 2}};
}

std::string writeSr(const PcAcquisition& a, const FlowResult& r, std::optional<double> qpQs,
                    const std::filesystem::path& file, int index) {
  TID1500_MeasurementReport report(CID7021_MeasurementReportDocumentTitles::ImagingMeasurementReport);
  ok(report.setLanguage(CID5000_Languages::English), "language");
  ok(report.getObservationContext().addDeviceObserver(dicom::newUid().c_str(), "Atrium flow analysis", "Atrium",
                                                      "phase-contrast flow"),
     "observer");
  ok(report.addProcedureReported(DSRCodedEntryValue("241620005", "SCT", "Magnetic resonance imaging of heart"),
                                 OFFalse),
     "procedure");
  bool first = true;
  for (const auto& v : r.vessels) {
    ok(report.addIndividualMeasurements(!first), "measurement group");
    first = false;
    auto& g = report.getIndividualMeasurements();
    ok(g.setTrackingIdentifier(v.name.c_str()), "tracking identifier");
    ok(g.setTrackingUniqueIdentifier(dicom::newUid().c_str()), "tracking UID");
    ok(g.addFindingSite(site(v.name)), "finding site");
    auto all = measures(v);
    if (qpQs && v.name == "pulmonary artery")
      all.push_back({{"QP-QS", "99ATRIUM", "Qp/Qs"}, *qpQs, "{ratio}", "ratio", 2});
    for (const auto& m : all) cardiac::addNumber(g, m.name, m.value, m.decimals, m.unit, m.unitMeaning);
  }
  DSRDocument doc;
  const auto& img = a.phase.front();
  try {
    cardiac::makeReportDocument(doc, report, img.file,
                                {img.studyUid, std::to_string(940 + index), "Atrium flow measurements"});
  } catch (const std::runtime_error& e) {
    throw FlowError(e.what());
  }
  // The phase images are the evidence.
  try {
    for (const auto& p : a.phase) cardiac::addEvidence(doc, p.studyUid, p.seriesUid, p.sopClassUid, p.sopInstanceUid);
    return cardiac::saveReportDocument(doc, file);
  } catch (const std::runtime_error& e) {
    throw FlowError(e.what());
  }
}

std::string reportPdf(const PcAcquisition& a, const FlowResult& r, std::optional<double> qpQs) {
  cardiac::PdfPage page;
  double y = 790;
  const auto& img = a.phase.front();
  page.text(50, y, 18, "Cardiac MR - phase-contrast flow");
  y -= 26;
  page.text(50, y, 10, "Patient: " + dicom::trim(img.patientName) + "   ID: " + img.patientId);
  y -= 14;
  page.text(50, y, 10,
            std::to_string(a.phase.size()) + " phases, VENC " + fixed(a.vencCmS, 0) + " cm/s (" + a.vencSource +
                "), background offset " + fixed(r.backgroundOffsetCmS, 1) + " cm/s removed");
  y -= 24;
  static const double colours[][3] = {{0.8, 0.1, 0.1}, {0.1, 0.3, 0.8}};
  for (std::size_t k = 0; k < r.vessels.size() && k < 2; ++k) {
    const auto& v = r.vessels[k];
    page.text(50, y, 12, v.name);
    y -= 16;
    page.text(60, y, 10,
              "forward " + fixed(v.forwardMl, 1) + " ml, backward " + fixed(v.backwardMl, 1) + " ml, net " +
                  fixed(v.netMl, 1) + " ml, regurgitant fraction " + fixed(v.regurgitantFractionPct, 1) + " %");
    y -= 14;
    page.text(60, y, 10,
              "peak velocity " + fixed(v.peakVelocityCmS, 0) + " cm/s, heart rate " + fixed(v.heartRateBpm, 0) +
                  " /min, cardiac output " + fixed(v.cardiacOutputLMin, 2) + " l/min");
    y -= 20;
  }
  if (qpQs) {
    page.text(50, y, 12, "Qp/Qs " + fixed(*qpQs, 2));
    y -= 20;
  }
  for (const auto& w : r.warnings)
    for (const auto& text : cardiac::wrapWords("Check: " + w, 90)) {
      page.text(60, y, 10, text);
      y -= 14;
    }
  for (std::size_t k = 0; k < r.vessels.size() && k < 2; ++k) {
    std::vector<double> flows;
    for (const auto& p : r.vessels[k].phases) flows.push_back(p.flowMlS * r.vessels[k].direction);
    page.curve(70, 380 - 250.0 * k, 460, 170, flows, "Flow, " + r.vessels[k].name + " (ml/s)", colours[k][0],
               colours[k][1], colours[k][2]);
  }
  page.text(50, 60, 8, "Automatic vessel outline and flow measurement (Atrium). Not for diagnosis without review.");
  return page.pdf();
}

}  // namespace

std::vector<std::string> writeFlowOutputs(const PcAcquisition& a, const FlowResult& r, std::optional<double> qpQs,
                                          const std::filesystem::path& dir, int index) {
  const std::string base = "flow-" + std::to_string(index + 1);
  std::vector<std::string> files = {(dir / (base + "-roi.dcm")).string(), (dir / (base + "-sr.dcm")).string(),
                                    (dir / (base + "-report.dcm")).string()};
  try {
    writeRoi(a, r, files[0], index);
    writeSr(a, r, qpQs, files[1], index);
    cardiac::writePdfDocument(a.phase.front(), {"Cardiac MR flow", "Atrium flow report", std::to_string(950 + index)},
                              reportPdf(a, r, qpQs), files[2]);
  } catch (const cardiac::CardiacError& e) {
    throw FlowError(e.what());
  }
  return files;
}

}  // namespace atrium::flow
