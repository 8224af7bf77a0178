// atrium flow PATH... | --study UID : through-plane phase-contrast flow — forward, backward and net
// volume per beat, regurgitant fraction, peak velocity, cardiac output, Qp/Qs.
#include <dcmtk/oflog/oflog.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/data_folder.h"
#include "dicom/dcmtk_setup.h"
#include "flow/flow_analysis.h"
#include "flow/flow_json.h"
#include "flow/flow_writer.h"

namespace atrium::cli {
namespace {

flow::Seed parseSeed(const std::string& s) {
  flow::Seed seed;
  if (std::sscanf(s.c_str(), "%d,%d", &seed.row, &seed.column) != 2)
    throw UsageError("--seed takes ROW,COLUMN in pixels, not '" + s + "'");
  return seed;
}

}  // namespace

int runFlow(int argc, char** argv) {
  std::vector<std::filesystem::path> paths;
  std::optional<double> venc;
  std::vector<flow::Seed> seeds;
  std::string outDir;
  bool json = false;
  try {
    Args args(argc, argv, 2, commandSpec("flow"));
    paths = analysisInputs(args, "flow", true);
    if (args.has("venc")) {
      venc = std::atof(args.get("venc").c_str());
      if (!(*venc > 0 && *venc < 2000)) throw UsageError("--venc takes a velocity in cm/s, e.g. 150");
    }
    for (const auto& s : args.all("seed")) seeds.push_back(parseSeed(s));
    outDir = args.get("out");
    json = args.has("json");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium flow: %s\n", e.what());
    return 2;
  }
  OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
  dicom::initializeDcmtk();
  try {
    auto images = cardiac::readMrImages(paths);
    auto acquisitions = flow::selectPhaseContrast(images, venc);
    // Everything is measured before anything is written: bad input leaves nothing behind.
    std::vector<flow::FlowResult> results;
    std::vector<flow::VesselFlow> all;
    for (const auto& a : acquisitions) {
      results.push_back(flow::analyzeFlow(a, seeds));
      for (const auto& v : results.back().vessels) all.push_back(v);
    }
    const auto ratio = flow::qpQs(all);
    nlohmann::json out = flow::flowJson(acquisitions, results, ratio);
    if (!outDir.empty()) {
      std::filesystem::create_directories(outDir);
      out["outputs"] = nlohmann::json::array();
      for (std::size_t k = 0; k < results.size(); ++k)
        for (const auto& f : flow::writeFlowOutputs(acquisitions[k], results[k], ratio, outDir, int(k))) {
          std::fprintf(stderr, "wrote %s\n", f.c_str());
          out["outputs"].push_back(f);
        }
    }
    for (const auto& w : out["warnings"]) std::fprintf(stderr, "note: %s\n", w.get<std::string>().c_str());
    if (json) {
      std::printf("%s\n", out.dump().c_str());
      return 0;
    }
    for (const auto& v : out["vessels"])
      std::printf(
          "%s: forward %.1f ml, backward %.1f ml, net %.1f ml, regurgitant fraction %.1f %%, peak %.0f cm/s, "
          "CO %.2f l/min\n",
          v["name"].get<std::string>().c_str(), v["forward_volume_ml"].get<double>(),
          v["backward_volume_ml"].get<double>(), v["net_volume_ml"].get<double>(),
          v["regurgitant_fraction_pct"].get<double>(), v["peak_velocity_cm_s"].get<double>(),
          v["cardiac_output_l_min"].get<double>());
    if (ratio) std::printf("Qp/Qs %.2f\n", *ratio);
    return 0;
  } catch (const flow::FlowError& e) {
    std::fprintf(stderr, "atrium flow: %s\n", e.what());
    return 1;
  } catch (const cardiac::CardiacError& e) {
    std::fprintf(stderr, "atrium flow: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium flow: internal error: %s\n", e.what());
    return 1;
  }
}

}  // namespace atrium::cli
