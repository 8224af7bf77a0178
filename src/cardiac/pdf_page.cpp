#include "cardiac/pdf_page.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "cardiac/derived_object.h"
#include "dicom/uid.h"

namespace atrium::cardiac {
namespace {

// PDF string literal: ASCII only (names are shown as their ASCII letters), escaped.
std::string pdfText(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '(' || c == ')' || c == '\\') out += '\\';
    out += (c >= 32 && c < 127) ? static_cast<char>(c) : '?';
  }
  return out;
}

}  // namespace

std::string pdfNumber(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

void PdfPage::text(double x, double y, double size, const std::string& s) {
  content_ += "BT /F1 " + pdfNumber("%.0f", size) + " Tf " + pdfNumber("%.1f", x) + " " + pdfNumber("%.1f", y) +
              " Td (" + pdfText(s) + ") Tj ET\n";
}

void PdfPage::curve(double x0, double y0, double w, double h, const std::vector<double>& values,
                    const std::string& title, double r, double g, double b) {
  if (values.empty()) return;
  text(x0, y0 + h + 12, 11, title);
  double hi = *std::max_element(values.begin(), values.end()), lo = *std::min_element(values.begin(), values.end());
  lo = std::min(0.0, lo * 1.1);
  hi = hi * 1.1 + 1;
  auto yOf = [&](double v) { return y0 + h * (v - lo) / (hi - lo); };
  content_ += "0.5 w 0 0 0 RG\n" + pdfNumber("%.1f ", x0) + pdfNumber("%.1f m ", y0 + h) + pdfNumber("%.1f ", x0) +
              pdfNumber("%.1f l ", y0) + pdfNumber("%.1f ", x0 + w) + pdfNumber("%.1f l S\n", y0);
  if (lo < 0)  // the zero line
    content_ += pdfNumber("%.1f ", x0) + pdfNumber("%.1f m ", yOf(0)) + pdfNumber("%.1f ", x0 + w) +
                pdfNumber("%.1f l S\n", yOf(0));
  for (int k = 0; k <= 4; ++k) {
    const double v = lo + (hi - lo) * k / 4, yy = yOf(v);
    content_ +=
        pdfNumber("%.1f ", x0 - 4) + pdfNumber("%.1f m ", yy) + pdfNumber("%.1f ", x0) + pdfNumber("%.1f l S\n", yy);
    text(x0 - 40, yy - 3, 8, pdfNumber("%.0f", v));
  }
  const std::size_t n = values.size();
  content_ += "1.5 w " + pdfNumber("%.2f ", r) + pdfNumber("%.2f ", g) + pdfNumber("%.2f RG\n", b);
  for (std::size_t i = 0; i < n; ++i) {
    const double xx = x0 + w * double(i) / double(std::max<std::size_t>(n - 1, 1));
    content_ += pdfNumber("%.1f ", xx) + pdfNumber(i ? "%.1f l\n" : "%.1f m\n", yOf(values[i]));
  }
  content_ += "S\n0 0 0 RG\n";
  text(x0, y0 - 18, 8, "phase 1");
  text(x0 + w - 30, y0 - 18, 8, "phase " + std::to_string(n));
}

std::string PdfPage::pdf() const {
  std::vector<std::string> objects = {
      "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
      "/Contents 4 0 R >>",
      "<< /Length " + std::to_string(content_.size()) + " >>\nstream\n" + content_ + "endstream",
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"};
  std::string pdf = "%PDF-1.4\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  std::size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (auto o : offsets) pdf += pdfNumber("%010.0f 00000 n \n", double(o));
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

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

std::string writePdfDocument(const CineImage& source, const PdfDocumentInfo& info, const std::string& pdf,
                             const std::filesystem::path& file) {
  DcmFileFormat ff;
  DcmDataset& out = *ff.getDataset();
  copyPatientAndStudy(source, out);
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
  out.putAndInsertString(DCM_SeriesNumber, info.seriesNumber.c_str());
  out.putAndInsertString(DCM_SeriesDescription, info.seriesDescription.c_str());
  out.putAndInsertString(DCM_Manufacturer, "Atrium");
  out.putAndInsertString(DCM_ConversionType, "SYN");
  out.putAndInsertString(DCM_InstanceNumber, "1");
  out.putAndInsertString(DCM_ContentDate, date);
  out.putAndInsertString(DCM_ContentTime, time);
  out.putAndInsertString(DCM_AcquisitionDateTime, datetime);
  out.putAndInsertString(DCM_BurnedInAnnotation, "YES");
  out.putAndInsertString(DCM_DocumentTitle, info.title.c_str());
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
