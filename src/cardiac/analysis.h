#pragma once
// One complete analysis: stack → segmentation → function → DICOM outputs and the JSON summary.
// Shared by `atrium analyze` and the automatic analysis inside `atrium serve`.
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace atrium::cardiac {

struct AnalysisOutput {
  nlohmann::json summary;          // what `atrium analyze --json` prints
  std::vector<std::string> files;  // DICOM objects written (RT Structure Set, SEG, PDF report)
};

// Throws CardiacError when the input is not a usable short-axis cine, or when no LV is found in it.
// outDir empty: no files. segmenter: "learned" (the model at defaultModelPath()) or "classic".
// progress, when given, is told each step ("reading 240 images", "segmenting", ...).
AnalysisOutput analyze(const std::vector<std::filesystem::path>& inputs, const std::filesystem::path& outDir,
                       const std::filesystem::path& labelsDir = {},
                       const std::function<void(const std::string&)>& progress = {},
                       const std::string& segmenter = "learned");

struct ReportAuthor;

// A reader's corrected version: the contours (and optionally "ed_phase"/"es_phase", from 0) of the
// JSON of PUT /api/analyses/{id}, measured exactly as the automatic analysis, written with the
// author as observer and the replaced report as predecessor. Throws ContourError for a bad contour,
// CardiacError for an unusable cine.
AnalysisOutput analyzeCorrection(const std::vector<std::filesystem::path>& inputs, const nlohmann::json& edit,
                                 const std::filesystem::path& outDir, const ReportAuthor& author,
                                 const std::string& previousMethod);

}  // namespace atrium::cardiac
