#include "mapping/map_sr.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcvrda.h>
#include <dcmtk/dcmdata/dcvrtm.h>
#include <dcmtk/dcmsr/cmr/tid1500.h>
#include <dcmtk/dcmsr/dsrdoc.h>

#include <cstdio>

#include "cardiac/sr_document.h"
#include "dicom/uid.h"
#include "mapping/map_writer.h"

namespace atrium::mapping {
namespace {

void ok(const OFCondition& c, const char* what) {
  if (c.bad()) throw MappingError(std::string("map SR: ") + what + ": " + c.text());
}

// The quantity as a concept: the codes the Parametric Map's derivation uses.
DSRCodedEntryValue quantity(MapKind k) {
  const auto c = quantityCode(k);
  return {c[0], c[1], c[2]};
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
    for (const auto& [name, value] : values)
      cardiac::addNumber(g, name, value.first, 1, value.second,
                         std::string(value.second) == "ms" ? "millisecond" : "percent");
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
  const auto& img = maps.front().map->reference;
  try {
    cardiac::makeReportDocument(doc, report, img.file, {img.studyUid, "930", "Atrium map measurements"});
  } catch (const std::runtime_error& e) {
    throw MappingError(e.what());
  }
  try {
    for (const auto& m : maps)
      for (const auto& s : m.map->sources)
        cardiac::addEvidence(doc, s.studyUid, s.seriesUid, s.sopClassUid, s.sopInstanceUid);
    return cardiac::saveReportDocument(doc, file);
  } catch (const std::runtime_error& e) {
    throw MappingError(e.what());
  }
}

}  // namespace atrium::mapping
