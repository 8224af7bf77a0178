#pragma once
// One A4 PDF page written by hand (Helvetica, a few drawing operators) and its Encapsulated PDF
// wrapper: what the ventricular function report and the flow report share.
#include <filesystem>
#include <string>
#include <vector>

#include "cardiac/cine_stack.h"

namespace atrium::cardiac {

class PdfPage {
 public:
  // A line of text (ASCII shown; other characters as '?').
  void text(double x, double y, double size, const std::string& s);
  // Axes with `ticks` labelled values from 0 (or the lowest value) to the highest, a title, and
  // the values as a polyline; r, g, b in 0..1. Negative values are drawn below a zero line.
  void curve(double x0, double y0, double w, double h, const std::vector<double>& values, const std::string& title,
             double r, double g, double b);
  // Operators as they are (paths, colours).
  void raw(const std::string& operators) { content_ += operators; }
  // The whole PDF document.
  std::string pdf() const;

 private:
  std::string content_;
};

// printf of numbers into a string.
std::string pdfNumber(const char* format, double v);

// Words of `text` in lines of at most `width` characters (a longer word gets a line of its own).
std::vector<std::string> wrapWords(const std::string& text, std::size_t width);

struct PdfDocumentInfo {
  std::string title, seriesDescription, seriesNumber;
};
// Encapsulated PDF Storage in the study of `source`; returns the new SOP Instance UID; throws CardiacError.
std::string writePdfDocument(const CineImage& source, const PdfDocumentInfo& info, const std::string& pdf,
                             const std::filesystem::path& file);

}  // namespace atrium::cardiac
