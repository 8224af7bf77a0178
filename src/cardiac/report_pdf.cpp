#include "cardiac/report_pdf.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <vector>

#include "cardiac/pdf_page.h"
#include "dicom/text.h"
#include "dicom/uid.h"

namespace atrium::cardiac {
namespace {

template <typename... Args>
std::string fmt(const char* f, Args... args) {
  char buf[200];
  std::snprintf(buf, sizeof buf, f, static_cast<double>(args)...);
  return buf;
}

}  // namespace

std::string reportPdf(const CineStack& stack, const FunctionResults& r, const std::string& method) {
  checkFunctionResults(stack, r);
  PdfPage page;  // A4 portrait (595 x 842 pt)
  double y = 790;
  page.text(50, y, 18, "Cardiac MR - ventricular function");
  y -= 26;
  page.text(50, y, 10, "Patient: " + dicom::trim(stack.patientName) + "   ID: " + stack.patientId);
  y -= 14;
  page.text(50, y, 10,
            fmt("Short-axis cine: %.0f slices x %.0f phases, slice spacing %.1f mm; ED phase %.0f, ES phase ",
                double(stack.slices.size()), double(stack.phases), r.sliceSpacingMm, double(r.edPhase + 1)) +
                std::to_string(r.esPhase + 1));
  y -= 30;
  auto row = [&](const std::string& name, const std::string& value) {
    page.text(60, y, 11, name);
    page.text(300, y, 11, value);
    y -= 16;
  };
  row("LV end-diastolic volume", fmt("%.1f ml", r.lvEdv));
  row("LV end-systolic volume", fmt("%.1f ml", r.lvEsv));
  row("LV stroke volume", fmt("%.1f ml", r.lvSv));
  row("LV ejection fraction", fmt("%.1f %%", r.lvEf));
  row("LV mass (myocardium x 1.05 g/ml, ED)", fmt("%.1f g", r.lvMassG));
  row("RV end-diastolic volume", fmt("%.1f ml", r.rvEdv));
  row("RV end-systolic volume", fmt("%.1f ml", r.rvEsv));
  row("RV stroke volume", fmt("%.1f ml", r.rvSv));
  row("RV ejection fraction", fmt("%.1f %%", r.rvEf));
  if (r.heartRateBpm > 0) {
    row("Heart rate", fmt("%.0f /min", r.heartRateBpm));
    row("LV cardiac output", fmt("%.2f l/min", r.lvCardiacOutputLMin));
    if (r.lvCardiacIndexLMinM2 > 0) row("LV cardiac index", fmt("%.2f l/min/m2", r.lvCardiacIndexLMinM2));
  }
  if (r.bsaM2 > 0) {
    row("Body surface area (Mosteller)", fmt("%.2f m2", r.bsaM2));
    row("LV EDV / ESV index", fmt("%.1f / %.1f ml/m2", r.lvEdv / r.bsaM2, r.lvEsv / r.bsaM2));
    row("LV mass index", fmt("%.1f g/m2", r.lvMassG / r.bsaM2));
  }
  // What looked implausible, wrapped to the page (at most ten lines, above the curve).
  int lines = 0;
  for (const auto& w : r.warnings)
    for (const auto& text : wrapWords("Check: " + w, 90)) {
      if (lines++ == 10) break;
      page.text(lines == 1 || text.rfind("Check: ", 0) == 0 ? 60 : 90, y - 4, 10, text);
      y -= 14;
    }
  // The LV volume-time curve.
  page.curve(70, 120, 460, 220, r.lvVolumeMl, "LV volume over the cardiac cycle (ml)", 0.8, 0.1, 0.1);
  page.text(50, 60, 8,
            "Automatic segmentation (" + method +
                "). Papillary muscles and trabeculations are in the "
                "blood pool. Not for diagnosis without review.");

  return page.pdf();
}

std::string writeEncapsulatedPdf(const CineStack& stack, const std::string& pdf, const std::filesystem::path& file) {
  if (stack.slices.empty() || stack.slices[0].phases.empty()) throw CardiacError("internal: an empty stack");
  return writePdfDocument(stack.slices[0].phases[0],
                          {"Cardiac MR ventricular function", "Atrium cardiac report", "903"}, pdf, file);
}

}  // namespace atrium::cardiac
