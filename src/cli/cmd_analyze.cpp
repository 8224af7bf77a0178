// atrium analyze PATH... : short-axis cine MR → LV/RV volumes, EF, LV mass, and DICOM outputs.
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/oflog/oflog.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <vector>

#include "cardiac/analysis.h"
#include "cardiac/cine_stack.h"
#include "cardiac/contour_segmentation.h"
#include "cardiac/sr_writer.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/data_folder.h"
#include "dicom/dcmtk_setup.h"

namespace atrium::cli {
namespace {

// Test-only: ATRIUM_TEST_ANALYSIS_FAULT=crash|abort|hang|oom makes the analysis fail that way,
// so that the tests can show the archive outlives it. Nothing sets it outside the tests.
void injectTestFault() {
  const char* fault = std::getenv("ATRIUM_TEST_ANALYSIS_FAULT");
  if (!fault) return;
  std::string f = fault;
  if (f == "crash") std::raise(SIGSEGV);
  if (f == "abort") std::abort();
  if (f == "hang")
    for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
  if (f == "oom") {
    std::vector<std::vector<char>> hog;
    for (;;) hog.emplace_back(std::size_t(64) << 20, char(1));
  }
}

}  // namespace

int runAnalyze(int argc, char** argv) {
  std::vector<std::filesystem::path> paths;
  bool json = false;
  std::string labels, outDir, segmenter = "learned";
  bool verbose = false;  // DCMTK's own warnings (which attribute an IOD class refused, ...)
  std::string contoursFile, basedOn = "the automatic analysis";
  cardiac::ReportAuthor author;
  try {
    Args args(argc, argv, 2, commandSpec("analyze"));
    paths = analysisInputs(args, "analyze", true);
    if (args.has("segmenter")) {
      segmenter = args.get("segmenter");
      if (segmenter != "learned" && segmenter != "classic")
        throw UsageError("--segmenter takes learned or classic, not '" + segmenter + "'");
    }
    json = args.has("json");
    // A corrected version: the reader's contours instead of a segmenter.
    contoursFile = args.get("contours");
    author.observer = args.get("observer");
    if (!contoursFile.empty() && author.observer.empty()) throw UsageError("--contours needs --observer NAME");
    if (args.has("based-on")) basedOn = args.get("based-on");
    if (args.has("replaces")) {
      DcmFileFormat ff;
      if (ff.loadFile(args.get("replaces").c_str()).bad())
        throw UsageError("cannot read the replaced report " + args.get("replaces"));
      auto get = [&](const DcmTagKey& k) {
        OFString v;
        ff.getDataset()->findAndGetOFString(k, v);
        return std::string(v.c_str());
      };
      author.predecessorStudyUid = get(DCM_StudyInstanceUID);
      author.predecessorSeriesUid = get(DCM_SeriesInstanceUID);
      author.predecessorSopClassUid = get(DCM_SOPClassUID);
      author.predecessorSopUid = get(DCM_SOPInstanceUID);
    }
    labels = args.get("labels");
    outDir = args.get("out");
    verbose = args.has("verbose");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium analyze: %s\n", e.what());
    return 2;
  }
  OFLog::configure(verbose ? OFLogger::WARN_LOG_LEVEL : OFLogger::FATAL_LOG_LEVEL);
  dicom::initializeDcmtk();
  bool tty = ::isatty(2);
  try {
    // Progress on a terminal: one line, rewritten at each step.
    auto progress = [&](const std::string& step) {
      if (tty) std::fprintf(stderr, "\r\033[K%s...", step.c_str());
    };
    injectTestFault();
    cardiac::AnalysisOutput out;
    if (!contoursFile.empty()) {
      std::ifstream in(contoursFile);
      auto edit = nlohmann::json::parse(in, nullptr, false);
      if (edit.is_discarded()) throw cardiac::ContourError("the contours file is not JSON");
      out = cardiac::analyzeCorrection(paths, edit, outDir, author, basedOn);
    } else {
      out = cardiac::analyze(paths, outDir, labels, progress, segmenter);
    }
    if (tty) std::fputs("\r\033[K", stderr);
    const auto& j = out.summary;
    for (const auto& w : j["warnings"]) std::fprintf(stderr, "note: %s\n", w.get<std::string>().c_str());
    for (const auto& f : out.files) std::fprintf(stderr, "wrote %s\n", f.c_str());
    if (json) {
      std::printf("%s\n", j.dump().c_str());
      return 0;
    }
    auto d = [&](const char* k) { return j[k].get<double>(); };
    // Phases counted from 1 here, as on the PDF report and in the viewer (the JSON counts from 0).
    std::printf("%zu slices x %d phases, slice spacing %.1f mm; ED phase %d, ES phase %d\n",
                j["slices"].get<std::size_t>(), j["phases"].get<int>(), d("slice_spacing_mm"),
                j["ed_phase"].get<int>() + 1, j["es_phase"].get<int>() + 1);
    std::printf("LV  EDV %.1f ml  ESV %.1f ml  SV %.1f ml  EF %.1f %%  mass %.1f g\n", d("lv_edv_ml"), d("lv_esv_ml"),
                d("lv_sv_ml"), d("lv_ef_pct"), d("lv_mass_g"));
    std::printf("RV  EDV %.1f ml  ESV %.1f ml  SV %.1f ml  EF %.1f %%\n", d("rv_edv_ml"), d("rv_esv_ml"), d("rv_sv_ml"),
                d("rv_ef_pct"));
    return 0;
  } catch (const cardiac::CardiacError& e) {
    if (tty) std::fputs("\r\033[K", stderr);
    std::fprintf(stderr, "atrium analyze: %s\n", e.what());
    return 1;
  } catch (const cardiac::ContourError& e) {
    // The reader's contours are wrong (exit 3): the server answers 400 with this line.
    std::fprintf(stderr, "atrium analyze: contours: %s\n", e.what());
    return 3;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "atrium analyze: internal error: out of memory\n");
    return 1;
  } catch (const std::exception& e) {
    // A fault of ours, not of the input: still one line and exit 1, never an abort.
    std::fprintf(stderr, "atrium analyze: internal error: %s\n", e.what());
    return 1;
  }
}

}  // namespace atrium::cli
