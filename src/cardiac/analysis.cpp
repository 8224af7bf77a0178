#include "cardiac/analysis.h"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "cardiac/cine_stack.h"
#include "cardiac/contour_segmentation.h"
#include "cardiac/function.h"
#include "cardiac/learned_segmenter.h"
#include "cardiac/report_pdf.h"
#include "cardiac/rtstruct_writer.h"
#include "cardiac/seg_writer.h"
#include "cardiac/segmenter.h"
#include "cardiac/sr_writer.h"

namespace atrium::cardiac {
namespace {

// One PGM per image (0 background, 1 LV blood, 2 LV myocardium, 3 RV blood) and index.json:
// what tools/cardiac evaluates against expert contours.
void writeLabelMaps(const CineStack& stack, const Segmentation& seg, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  nlohmann::json index = nlohmann::json::array();
  for (std::size_t s = 0; s < seg.size(); ++s)
    for (std::size_t p = 0; p < stack.slices[s].phases.size(); ++p) {
      const auto& img = stack.slices[s].phases[p];
      const auto& m = seg[s][p];
      std::string name = "s" + std::to_string(s) + "p" + std::to_string(p) + ".pgm";
      FILE* f = std::fopen((dir / name).c_str(), "wb");
      if (!f) throw CardiacError("cannot write " + (dir / name).string());
      std::fprintf(f, "P5\n%d %d\n255\n", m.width, m.height);
      std::fwrite(m.data.data(), 1, m.data.size(), f);
      std::fclose(f);
      index.push_back({{"file", name},
                       {"slice", s},
                       {"phase", p},
                       {"sop", img.sopInstanceUid},
                       {"instance_number", img.instanceNumber},
                       {"frame", img.frame}});
    }
  FILE* f = std::fopen((dir / "index.json").c_str(), "w");
  if (!f) throw CardiacError("cannot write " + (dir / "index.json").string());
  std::fputs(index.dump().c_str(), f);
  std::fclose(f);
}

}  // namespace

namespace {

// Outputs and the JSON summary of a measured segmentation: the automatic analysis and a corrected
// version share them.
AnalysisOutput finish(const CineStack& stack, const Segmentation& seg, const FunctionResults& r,
                      const std::filesystem::path& outDir, const std::filesystem::path& labelsDir,
                      const std::string& method, const std::string& segmenterLabel, std::vector<std::string> warnings,
                      double seconds, const ReportAuthor* author, const std::function<void(const std::string&)>& say) {
  if (r.slicesWithLv == 0)
    throw CardiacError("no left ventricle found in " + std::to_string(stack.slices.size()) +
                       " slices: not a short-axis cine of the heart?");
  if (!labelsDir.empty()) writeLabelMaps(stack, seg, labelsDir);
  AnalysisOutput out;
  if (!outDir.empty()) {
    say("writing the DICOM outputs");
    std::filesystem::create_directories(outDir);
    auto rt = outDir / "rtstruct.dcm", sg = outDir / "seg.dcm", sr = outDir / "measurements.dcm",
         pdf = outDir / "report.dcm";
    writeRtStruct(stack, seg, rt);
    auto written = writeSeg(stack, seg, sg);
    writeMeasurementReport(stack, r,
                           {stack.studyUid, written.seriesUid, "1.2.840.10008.5.1.4.1.1.66.4", written.sopInstanceUid},
                           sr, method, author);
    writeEncapsulatedPdf(stack, reportPdf(stack, r, method), pdf);
    out.files = {rt.string(), sg.string(), sr.string(), pdf.string()};
  }
  warnings.insert(warnings.end(), r.warnings.begin(), r.warnings.end());
  auto round1 = [](double v) { return std::round(v * 10) / 10; };
  nlohmann::json& j = out.summary;
  j = {{"lv_edv_ml", round1(r.lvEdv)},
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
       {"rv_volume_curve_ml", r.rvVolumeMl},
       {"trigger_times_ms", r.timesMs},
       {"study_uid", stack.studyUid},
       {"method", method},
       {"segmenter", segmenterLabel},
       {"seconds", round1(seconds)},
       {"warnings", warnings},
       {"outputs", out.files}};
  j["regional"] = nlohmann::json::array();
  for (const auto& t : r.regional.segments)
    j["regional"].push_back({{"segment", t.segment},
                             {"name", t.name},
                             {"ed_thickness_mm", round1(t.edMm)},
                             {"es_thickness_mm", round1(t.esMm)},
                             {"thickening_pct", round1(t.thickeningPct)}});
  if (!r.regional.note.empty()) j["regional_note"] = r.regional.note;
  if (r.heartRateBpm > 0) {
    j["heart_rate_bpm"] = round1(r.heartRateBpm);
    j["lv_co_l_min"] = std::round(r.lvCardiacOutputLMin * 100) / 100;
    if (r.lvCardiacIndexLMinM2 > 0) j["lv_ci_l_min_m2"] = std::round(r.lvCardiacIndexLMinM2 * 100) / 100;
  }
  if (r.bsaM2 > 0) {
    j["bsa_m2"] = std::round(r.bsaM2 * 100) / 100;
    j["lv_edv_index_ml_m2"] = round1(r.lvEdv / r.bsaM2);
    j["lv_esv_index_ml_m2"] = round1(r.lvEsv / r.bsaM2);
    j["lv_mass_index_g_m2"] = round1(r.lvMassG / r.bsaM2);
    j["rv_edv_index_ml_m2"] = round1(r.rvEdv / r.bsaM2);
  }
  return out;
}

}  // namespace

AnalysisOutput analyze(const std::vector<std::filesystem::path>& inputs, const std::filesystem::path& outDir,
                       const std::filesystem::path& labelsDir, const std::function<void(const std::string&)>& progress,
                       const std::string& method) {
  auto say = [&](const std::string& s) {
    if (progress) progress(s);
  };
  auto start = std::chrono::steady_clock::now();
  // The model first: a missing or damaged model file is said before any image is read.
  std::unique_ptr<ISegmenter> segmenter;
  if (method == "classic")
    segmenter = makeClassicSegmenter();
  else if (method == "learned")
    segmenter = makeLearnedSegmenter(defaultModelPath());
  else
    throw CardiacError("unknown segmenter '" + method + "' (learned or classic)");
  say("reading the headers");
  auto stack = loadCineStack(inputs);
  say("loading " + std::to_string(stack.slices.size()) + " slices x " + std::to_string(stack.phases) + " phases");
  auto data = loadCineData(stack);
  say("segmenting");
  auto seg = segmenter->segment(stack, data);
  auto r = computeFunction(stack, seg);
  std::vector<std::string> warnings = stack.warnings;
  for (const auto& w : segmenter->warnings()) warnings.push_back(w);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return finish(stack, seg, r, outDir, labelsDir, segmenter->name(), method, warnings, seconds, nullptr, say);
}

AnalysisOutput analyzeCorrection(const std::vector<std::filesystem::path>& inputs, const nlohmann::json& edit,
                                 const std::filesystem::path& outDir, const ReportAuthor& author,
                                 const std::string& previousMethod) {
  auto start = std::chrono::steady_clock::now();
  if (!edit.is_object() || !edit.contains("contours")) throw ContourError("the body is {\"contours\": [...]}");
  auto stack = loadCineStack(inputs);
  auto seg = segmentationFromContours(stack, edit["contours"]);
  auto phase = [&](const char* key) {
    if (!edit.contains(key) || edit[key].is_null()) return -1;
    if (!edit[key].is_number_integer() || edit[key].get<int>() < 0)
      throw ContourError(std::string(key) + " must be a phase number counted from 0");
    return edit[key].get<int>();
  };
  const int ed = phase("ed_phase"), es = phase("es_phase");
  if ((ed >= 0 && ed >= stack.phases) || (es >= 0 && es >= stack.phases))
    throw ContourError("ed_phase/es_phase must be below the " + std::to_string(stack.phases) + " phases");
  auto r = computeFunction(stack, seg, ed, es);
  const std::string method = "corrected by " + author.observer + " (from " + previousMethod + ")";
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return finish(stack, seg, r, outDir, {}, method.substr(0, 64), "corrected", stack.warnings, seconds, &author,
                [](const std::string&) {});
}

}  // namespace atrium::cardiac
