// atrium analyze PATH... : short-axis cine MR → LV/RV volumes, EF and LV mass.
#include <dcmtk/oflog/oflog.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cardiac/cine_stack.h"
#include "cardiac/function.h"
#include "cardiac/rtstruct_writer.h"
#include "cardiac/report_pdf.h"
#include "cardiac/seg_writer.h"
#include "cardiac/segmenter.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "dicom/dcmtk_setup.h"

namespace atrium::cli {
namespace {

// One PGM per image (0 background, 1 LV blood, 2 LV myocardium, 3 RV blood) and index.json:
// what tools/cardiac evaluates against expert contours.
void writeLabelMaps(const cardiac::CineStack& stack, const cardiac::Segmentation& seg, const std::string& dir) {
  std::filesystem::create_directories(dir);
  nlohmann::json index = nlohmann::json::array();
  for (std::size_t s = 0; s < seg.size(); ++s)
    for (std::size_t p = 0; p < stack.slices[s].phases.size(); ++p) {
      const auto& img = stack.slices[s].phases[p];
      const auto& m = seg[s][p];
      std::string name = "s" + std::to_string(s) + "p" + std::to_string(p) + ".pgm";
      FILE* f = std::fopen((std::filesystem::path(dir) / name).c_str(), "wb");
      if (!f) throw cardiac::CardiacError("cannot write " + dir + "/" + name);
      std::fprintf(f, "P5\n%d %d\n255\n", m.width, m.height);
      std::fwrite(m.data.data(), 1, m.data.size(), f);
      std::fclose(f);
      index.push_back({{"file", name}, {"slice", s}, {"phase", p}, {"sop", img.sopInstanceUid},
                       {"instance_number", img.instanceNumber}, {"frame", img.frame}});
    }
  std::FILE* f = std::fopen((std::filesystem::path(dir) / "index.json").c_str(), "w");
  if (!f) throw cardiac::CardiacError("cannot write " + dir + "/index.json");
  std::fputs(index.dump().c_str(), f);
  std::fclose(f);
}

}  // namespace

int runAnalyze(int argc, char** argv) {
  std::vector<std::filesystem::path> paths;
  bool json = false;
  std::string labels;  // where to write the label maps (for evaluation)
  std::string outDir;  // DICOM outputs
  try {
    Args args(argc, argv, 2, {"labels", "out"}, {"json"});
    if (args.positionals().empty())
      throw UsageError("usage: atrium analyze PATH... [--out DIR] [--json] [--labels DIR]");
    labels = args.get("labels");
    outDir = args.get("out");
    for (const auto& p : args.positionals()) paths.emplace_back(p);
    json = args.has("json");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium analyze: %s\n", e.what());
    return 2;
  }
  OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
  dicom::initializeDcmtk();
  bool tty = ::isatty(2);
  try {
    auto start = std::chrono::steady_clock::now();
    if (tty) std::fputs("reading the cine stack...\r", stderr);
    auto stack = cardiac::loadCineStack(paths);
    for (const auto& w : stack.warnings) std::fprintf(stderr, "note: %s\n", w.c_str());
    if (tty) std::fputs("loading pixels...         \r", stderr);
    auto data = cardiac::loadCineData(stack);
    auto segmenter = cardiac::makeClassicSegmenter();
    if (tty) std::fputs("segmenting...             \r", stderr);
    auto seg = segmenter->segment(stack, data);
    auto r = cardiac::computeFunction(stack, seg);
    if (!labels.empty()) writeLabelMaps(stack, seg, labels);
    std::vector<std::string> written;
    if (!outDir.empty()) {
      std::filesystem::create_directories(outDir);
      auto file = std::filesystem::path(outDir) / "rtstruct.dcm";
      cardiac::writeRtStruct(stack, seg, file);
      written.push_back(file.string());
      auto segFile = std::filesystem::path(outDir) / "seg.dcm";
      cardiac::writeSeg(stack, seg, segFile);
      written.push_back(segFile.string());
      auto pdfFile = std::filesystem::path(outDir) / "report.dcm";
      cardiac::writeEncapsulatedPdf(stack, cardiac::reportPdf(stack, r, segmenter->name()), pdfFile);
      written.push_back(pdfFile.string());
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (tty) std::fputs("                          \r", stderr);
    for (const auto& f : written) std::fprintf(stderr, "wrote %s\n", f.c_str());
    auto round1 = [](double v) { return std::round(v * 10) / 10; };
    nlohmann::json out = {{"lv_edv_ml", round1(r.lvEdv)},
                          {"lv_esv_ml", round1(r.lvEsv)},
                          {"lv_sv_ml", round1(r.lvSv)},
                          {"lv_ef_pct", round1(r.lvEf)},
                          {"lv_mass_g", round1(r.lvMassG)},
                          {"rv_edv_ml", round1(r.rvEdv)},
                          {"rv_esv_ml", round1(r.rvEsv)},
                          {"rv_sv_ml", round1(r.rvSv)},
                          {"rv_ef_pct", round1(r.rvEf)},
                          {"ed_phase", r.edPhase},
                          {"es_phase", r.esPhase},
                          {"slices", stack.slices.size()},
                          {"phases", stack.phases},
                          {"slice_spacing_mm", round1(r.sliceSpacingMm)},
                          {"lv_volume_curve_ml", r.lvVolumeMl},
                          {"trigger_times_ms", r.timesMs},
                          {"method", segmenter->name()},
                          {"seconds", round1(seconds)},
                          {"warnings", stack.warnings},
                          {"outputs", written}};
    if (r.bsaM2 > 0) {
      out["bsa_m2"] = std::round(r.bsaM2 * 100) / 100;
      out["lv_edv_index_ml_m2"] = round1(r.lvEdv / r.bsaM2);
      out["lv_esv_index_ml_m2"] = round1(r.lvEsv / r.bsaM2);
      out["lv_mass_index_g_m2"] = round1(r.lvMassG / r.bsaM2);
      out["rv_edv_index_ml_m2"] = round1(r.rvEdv / r.bsaM2);
    }
    if (json) {
      std::printf("%s\n", out.dump().c_str());
    } else {
      std::printf("%zu slices x %d phases, slice spacing %.1f mm; ED phase %d, ES phase %d\n", stack.slices.size(),
                  stack.phases, r.sliceSpacingMm, r.edPhase, r.esPhase);
      std::printf("LV  EDV %.1f ml  ESV %.1f ml  SV %.1f ml  EF %.1f %%  mass %.1f g\n", r.lvEdv, r.lvEsv, r.lvSv,
                  r.lvEf, r.lvMassG);
      std::printf("RV  EDV %.1f ml  ESV %.1f ml  SV %.1f ml  EF %.1f %%\n", r.rvEdv, r.rvEsv, r.rvSv, r.rvEf);
    }
    return 0;
  } catch (const cardiac::CardiacError& e) {
    std::fprintf(stderr, "atrium analyze: %s\n", e.what());
    return 1;
  }
}

}  // namespace atrium::cli
