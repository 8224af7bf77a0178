#include <gtest/gtest.h>

#include <regex>

#include "cardiac/report_pdf.h"

using namespace atrium::cardiac;

namespace {

// The text lines drawn on the page: the strings of the page's Tj operators.
std::vector<std::string> textLines(const std::string& pdf) {
  std::vector<std::string> out;
  std::regex tj(R"(\(((?:[^()\\]|\\.)*)\) Tj)");
  for (auto it = std::sregex_iterator(pdf.begin(), pdf.end(), tj); it != std::sregex_iterator(); ++it)
    out.push_back((*it)[1]);
  return out;
}

}  // namespace

TEST(ReportPdf, LongWarningsAreWrappedToThePage) {
  CineStack stack;
  stack.phases = 3;
  stack.slices.resize(2);
  for (auto& s : stack.slices) s.phases.resize(3);
  FunctionResults r;
  r.lvVolumeMl = {100, 60, 80};
  r.rvVolumeMl = r.myoVolumeMl = {0, 0, 0};
  r.timesMs = {0, 40, 80};
  r.warnings = {
      "LV and RV stroke volumes differ by 23 ml (33 %): review the RV contours, or look for valve "
      "regurgitation or a shunt",
      "short one"};
  auto lines = textLines(reportPdf(stack, r, "test"));
  std::vector<std::string> check;
  for (const auto& l : lines)
    if (l.rfind("Check: ", 0) == 0 || l.find("regurgitation") != std::string::npos) check.push_back(l);
  ASSERT_EQ(check.size(), 3u);
  EXPECT_EQ(check[0].rfind("Check: LV and RV stroke volumes", 0), 0u);
  EXPECT_EQ(check[1], "for valve regurgitation or a shunt");
  EXPECT_EQ(check[2], "Check: short one");
  for (const auto& l : check) EXPECT_LE(l.size(), 90u) << l;  // Helvetica 10 pt from x = 60: ~95 fit
}
