#include "cardiac/report_pdf.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <vector>

#include "cardiac/derived_object.h"
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

// PDF string literal: ASCII only (names are shown as their ASCII letters), escaped.
std::string pdfText(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '(' || c == ')' || c == '\\') out += '\\';
    out += (c >= 32 && c < 127) ? static_cast<char>(c) : '?';
  }
  return out;
}

std::string line(double x, double y, double size, const std::string& text) {
  return "BT /F1 " + fmt("%.0f", size) + " Tf " + fmt("%.1f %.1f", x, y) + " Td (" + pdfText(text) + ") Tj ET\n";
}

// Words of `text` in lines of at most `width` characters (a longer word gets a line of its own).
std::vector<std::string> wrapWords(const std::string& text, std::size_t width) {
  std::vector<std::string> out;
  std::string current;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    std::string word = text.substr(start, end - start);
    start = end + 1;
    if (word.empty()) continue;
    if (!current.empty() && current.size() + 1 + word.size() > width) {
      out.push_back(current);
      current.clear();
    }
    current += (current.empty() ? "" : " ") + word;
  }
  if (!current.empty()) out.push_back(current);
  return out;
}

}  // namespace

std::string reportPdf(const CineStack& stack, const FunctionResults& r, const std::string& method) {
  checkFunctionResults(stack, r);
  std::string c;  // page content, A4 portrait (595 x 842 pt)
  double y = 790;
  c += line(50, y, 18, "Cardiac MR - ventricular function");
  y -= 26;
  c += line(50, y, 10, "Patient: " + dicom::trim(stack.patientName) + "   ID: " + stack.patientId);
  y -= 14;
  c += line(50, y, 10,
            fmt("Short-axis cine: %.0f slices x %.0f phases, slice spacing %.1f mm; ED phase %.0f, ES phase ",
                double(stack.slices.size()), double(stack.phases), r.sliceSpacingMm, double(r.edPhase + 1)) +
                std::to_string(r.esPhase + 1));
  y -= 30;
  auto row = [&](const std::string& name, const std::string& value) {
    c += line(60, y, 11, name);
    c += line(300, y, 11, value);
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
      c += line(lines == 1 || text.rfind("Check: ", 0) == 0 ? 60 : 90, y - 4, 10, text);
      y -= 14;
    }
  // The LV volume-time curve.
  double x0 = 70, y0 = 120, w = 460, h = 220;
  c += line(x0, y0 + h + 12, 11, "LV volume over the cardiac cycle (ml)");
  c += "0.5 w 0 0 0 RG\n" + fmt("%.1f %.1f m %.1f %.1f l %.1f %.1f l S\n", x0, y0 + h, x0, y0, x0 + w, y0);
  double vmax = *std::max_element(r.lvVolumeMl.begin(), r.lvVolumeMl.end()) * 1.1 + 1;
  for (int k = 0; k <= 4; ++k) {
    double v = vmax * k / 4, yy = y0 + h * k / 4;
    c += fmt("%.1f %.1f m %.1f %.1f l S\n", x0 - 4, yy, x0, yy);
    c += line(x0 - 40, yy - 3, 8, fmt("%.0f", v));
  }
  std::size_t n = r.lvVolumeMl.size();
  c += "1.5 w 0.8 0.1 0.1 RG\n";
  for (std::size_t i = 0; i < n; ++i) {
    double xx = x0 + w * double(i) / double(std::max<std::size_t>(n - 1, 1)), yy = y0 + h * r.lvVolumeMl[i] / vmax;
    c += fmt(i ? "%.1f %.1f l\n" : "%.1f %.1f m\n", xx, yy);
  }
  c += "S\n0 0 0 RG\n";
  c += line(x0, y0 - 18, 8, "phase 1");
  c += line(x0 + w - 30, y0 - 18, 8, "phase " + std::to_string(n));
  c += line(50, 60, 8,
            "Automatic segmentation (" + method +
                "). Papillary muscles and trabeculations are in the "
                "blood pool. Not for diagnosis without review.");

  std::vector<std::string> objects = {
      "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
      "/Contents 4 0 R >>",
      "<< /Length " + std::to_string(c.size()) + " >>\nstream\n" + c + "endstream",
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"};
  std::string pdf = "%PDF-1.4\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  std::size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (auto o : offsets) pdf += fmt("%010.0f 00000 n \n", double(o));
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

std::string writeEncapsulatedPdf(const CineStack& stack, const std::string& pdf, const std::filesystem::path& file) {
  if (stack.slices.empty() || stack.slices[0].phases.empty()) throw CardiacError("internal: an empty stack");
  DcmFileFormat ff;
  DcmDataset& out = *ff.getDataset();
  copyPatientAndStudy(stack.slices[0].phases[0], out);
  char date[9], time[7], datetime[15];
  std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y%m%d", std::localtime(&now));
  std::strftime(time, sizeof time, "%H%M%S", std::localtime(&now));
  std::strftime(datetime, sizeof datetime, "%Y%m%d%H%M%S", std::localtime(&now));
  std::string sop = dicom::newUid();
  out.putAndInsertString(DCM_SOPClassUID, UID_EncapsulatedPDFStorage);
  out.putAndInsertString(DCM_SOPInstanceUID, sop.c_str());
  out.putAndInsertString(DCM_Modality, "DOC");
  out.putAndInsertString(DCM_SeriesInstanceUID, dicom::newUid().c_str());
  out.putAndInsertString(DCM_SeriesNumber, "903");
  out.putAndInsertString(DCM_SeriesDescription, "Atrium cardiac report");
  out.putAndInsertString(DCM_Manufacturer, "Atrium");
  out.putAndInsertString(DCM_ConversionType, "SYN");
  out.putAndInsertString(DCM_InstanceNumber, "1");
  out.putAndInsertString(DCM_ContentDate, date);
  out.putAndInsertString(DCM_ContentTime, time);
  out.putAndInsertString(DCM_AcquisitionDateTime, datetime);
  out.putAndInsertString(DCM_BurnedInAnnotation, "YES");
  out.putAndInsertString(DCM_DocumentTitle, "Cardiac MR ventricular function");
  out.insertEmptyElement(DCM_ConceptNameCodeSequence);
  out.putAndInsertString(DCM_MIMETypeOfEncapsulatedDocument, "application/pdf");
  std::string padded = pdf;
  if (padded.size() % 2) padded += '\0';
  out.putAndInsertUint8Array(DCM_EncapsulatedDocument, reinterpret_cast<const Uint8*>(padded.data()),
                             static_cast<unsigned long>(padded.size()));
  out.putAndInsertUint32(DCM_EncapsulatedDocumentLength, static_cast<Uint32>(pdf.size()));
  OFCondition c = ff.saveFile(file.c_str(), EXS_LittleEndianExplicit);
  if (c.bad()) throw CardiacError("cannot write " + file.string() + ": " + c.text());
  return sop;
}

}  // namespace atrium::cardiac
