// atrium map PATH... | --study UID : pixel-wise T1 (MOLLI, SASHA), T2 and T2* maps, ECV from a native
// and a post-contrast T1 map; outputs as Parametric Map and colour Secondary Capture.
#include <dcmtk/oflog/oflog.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

#include "archive/archive.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/data_folder.h"
#include "dicom/dcmtk_setup.h"
#include "index/index_db.h"
#include "mapping/ecv.h"
#include "mapping/map_segments.h"
#include "mapping/map_sr.h"
#include "mapping/map_writer.h"
#include "mapping/relaxation_map.h"
#include "routing/analysis_scheduler.h"

namespace atrium::cli {
namespace {

std::optional<mapping::MapKind> kindOf(const std::string& s) {
  if (s.empty() || s == "auto") return std::nullopt;
  if (s == "molli") return mapping::MapKind::Molli;
  if (s == "sasha") return mapping::MapKind::Sasha;
  if (s == "t2") return mapping::MapKind::T2;
  if (s == "t2star") return mapping::MapKind::T2Star;
  throw UsageError("--kind takes molli, sasha, t2 or t2star, not '" + s + "'");
}

struct Roi {
  int row, column, radius;
};

Roi parseRoi(const std::string& s) {
  Roi r{0, 0, 3};
  if (std::sscanf(s.c_str(), "%d,%d,%d", &r.row, &r.column, &r.radius) < 2 || r.row < 0 || r.column < 0 || r.radius < 0)
    throw UsageError("--roi takes ROW,COLUMN[,RADIUS] in pixels, not '" + s + "'");
  return r;
}

std::vector<mapping::RelaxationMap> mapsOf(const std::vector<std::filesystem::path>& paths,
                                           std::optional<mapping::MapKind> kind, const mapping::FitOptions& opts) {
  int skipped = 0;
  auto images = cardiac::readMrImages(paths, &skipped);
  std::vector<mapping::RelaxationMap> maps;
  for (const auto& in : mapping::selectMapInputs(images, kind)) maps.push_back(mapping::computeMap(in, opts));
  return maps;
}

}  // namespace

int runMap(int argc, char** argv) {
  std::vector<std::filesystem::path> paths, post;
  std::optional<mapping::MapKind> kind;
  mapping::FitOptions opts;
  opts.t2StarTruncation = true;
  std::vector<Roi> rois;
  std::optional<double> hematocrit;
  std::optional<Roi> blood;
  std::string outDir;
  bool json = false;
  std::vector<std::filesystem::path> contourFiles;
  try {
    Args args(argc, argv, 2, commandSpec("map"));
    paths = analysisInputs(args, "map", false);
    if (args.has("study")) {
      // The study's contours (its cardiac analysis) place the AHA segments on the map.
      index::IndexDatabase db(indexFileOf(args));
      storage::FileStore store(DataLayout(dataFolderOf(args)).storage);
      contourFiles = routing::studyFilesOfModality(db, store, args.get("study"), "RTSTRUCT");
    }
    for (const auto& c : args.all("contours")) contourFiles.emplace_back(c);
    kind = kindOf(args.get("kind"));
    if (args.has("t2star-model")) {
      const std::string m = args.get("t2star-model");
      if (m != "truncation" && m != "offset") throw UsageError("--t2star-model takes truncation or offset");
      opts.t2StarTruncation = m == "truncation";
    }
    for (const auto& r : args.all("roi")) rois.push_back(parseRoi(r));
    for (const auto& p : args.all("post")) post.emplace_back(p);
    if (args.has("hematocrit")) {
      double h = std::atof(args.get("hematocrit").c_str());
      if (!(h > 0.1 && h < 0.7)) throw UsageError("--hematocrit takes a fraction between 0.1 and 0.7, e.g. 0.42");
      hematocrit = h;
    }
    if (args.has("blood")) blood = parseRoi(args.get("blood"));
    if (post.empty() != !hematocrit) throw UsageError("ECV needs both --post PATH... and --hematocrit H");
    outDir = args.get("out");
    json = args.has("json");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium map: %s\n", e.what());
    return 2;
  }
  OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
  dicom::initializeDcmtk();
  try {
    // Everything is computed before anything is written: bad input leaves nothing behind.
    auto maps = mapsOf(paths, kind, opts);
    std::vector<mapping::RelaxationMap> postMaps;
    std::vector<mapping::EcvResult> ecv;
    if (hematocrit) {
      postMaps = mapsOf(post, kind, opts);
      if (postMaps.size() != maps.size())
        throw mapping::MappingError("ECV: " + std::to_string(maps.size()) + " native and " +
                                    std::to_string(postMaps.size()) + " post-contrast slices");
      for (std::size_t i = 0; i < maps.size(); ++i) {
        std::optional<mapping::BloodRegion> b;
        if (blood) b = mapping::BloodRegion{blood->row, blood->column, blood->radius};
        ecv.push_back(mapping::computeEcv(maps[i], postMaps[i], *hematocrit, b));
      }
    }
    std::vector<cardiac::StoredContour> contours;
    for (const auto& f : contourFiles)
      for (auto& c : cardiac::readStructureSet(f)) contours.push_back(std::move(c));
    std::vector<mapping::MapReport> reports(maps.size());
    nlohmann::json out = {{"maps", nlohmann::json::array()}};
    for (std::size_t i = 0; i < maps.size(); ++i) {
      const auto& m = maps[i];
      nlohmann::json j = {{"kind", mapping::kindName(m.kind)},
                          {"series_uid", m.reference.seriesUid},
                          {"time_source", m.timeSource},
                          {"times_ms", m.timesMs},
                          {"images", m.sources.size()},
                          {"pixels_fitted", m.pixelsFitted},
                          {"median_ms", std::round(m.medianMs * 10) / 10},
                          {"mean_r2", std::round(m.meanR2 * 1000) / 1000},
                          {"rois", nlohmann::json::array()}};
      reports[i].map = &m;
      if (!contours.empty()) {
        std::string why;
        reports[i].segments = mapping::segmentMap(m, contours, why);
        if (reports[i].segments) {
          const auto& sg = *reports[i].segments;
          nlohmann::json list = nlohmann::json::array();
          for (const auto& v : sg.segments)
            list.push_back({{"segment", v.segment},
                            {"name", v.name},
                            {"mean_ms", std::round(v.meanMs * 10) / 10},
                            {"sd_ms", std::round(v.sdMs * 10) / 10},
                            {"pixels", v.pixels}});
          j["myocardium"] = {{"level", cardiac::levelName(sg.level)},
                             {"mean_ms", std::round(sg.myocardiumMeanMs * 10) / 10},
                             {"pixels", sg.myocardiumPixels},
                             {"segments", list}};
        } else {
          j["myocardium"] = {{"note", why}};
        }
      }
      for (const auto& r : rois) {
        auto s = mapping::regionStats(m, r.row, r.column, r.radius);
        reports[i].rois.push_back(
            {std::to_string(r.row) + "," + std::to_string(r.column) + " r" + std::to_string(r.radius), s});
        j["rois"].push_back({{"row", r.row},
                             {"column", r.column},
                             {"radius", r.radius},
                             {"mean_ms", s.meanMs},
                             {"sd_ms", s.sdMs},
                             {"pixels", s.pixels}});
      }
      if (i < ecv.size()) {
        const auto& e = ecv[i];
        reports[i].ecvMedianPct = e.medianPct;
        j["ecv"] = {{"hematocrit", *hematocrit},
                    {"blood_native_t1_ms", e.bloodNativeT1Ms},
                    {"blood_post_t1_ms", e.bloodPostT1Ms},
                    {"blood_pixels", e.bloodPixels},
                    {"median_pct", std::round(e.medianPct * 10) / 10},
                    {"rois", nlohmann::json::array()}};
        for (const auto& r : rois)
          j["ecv"]["rois"].push_back({{"row", r.row},
                                      {"column", r.column},
                                      {"radius", r.radius},
                                      {"mean_pct", mapping::ecvRegionMean(e, r.row, r.column, r.radius)}});
      }
      out["maps"].push_back(j);
    }
    if (!outDir.empty()) {
      std::filesystem::create_directories(outDir);
      for (std::size_t i = 0; i < maps.size(); ++i) {
        const auto& m = maps[i];
        const std::string base = std::string(m.kind == mapping::MapKind::T2Star ? "t2star"
                                             : m.kind == mapping::MapKind::T2   ? "t2"
                                                                                : "t1") +
                                 "-" + std::to_string(i + 1);
        auto pm = std::filesystem::path(outDir) / (base + "-map.dcm");
        auto sc = std::filesystem::path(outDir) / (base + "-colour.dcm");
        auto r2 = std::filesystem::path(outDir) / (base + "-r2.dcm");
        reports[i].parametricMapUid = mapping::writeParametricMap(m, pm, 910 + static_cast<int>(i));
        mapping::writeColourMap(m, sc, 920 + static_cast<int>(i));
        mapping::writeParametricMap(m, r2, 925 + static_cast<int>(i), mapping::MapLayer::FitQuality);
        out["maps"][i]["files"] = {pm.string(), sc.string(), r2.string()};
        std::fprintf(stderr, "wrote %s\nwrote %s\nwrote %s\n", pm.c_str(), sc.c_str(), r2.c_str());
      }
      auto sr = std::filesystem::path(outDir) / "maps-sr.dcm";
      mapping::writeMapReport(reports, sr);
      out["report"] = sr.string();
      std::fprintf(stderr, "wrote %s\n", sr.c_str());
    }
    if (json) {
      std::printf("%s\n", out.dump().c_str());
    } else {
      for (const auto& j : out["maps"]) {
        std::printf("%s map: %d pixels fitted, median %.1f ms, mean R² %.3f (times from %s)\n",
                    j["kind"].get<std::string>().c_str(), j["pixels_fitted"].get<int>(), j["median_ms"].get<double>(),
                    j["mean_r2"].get<double>(), j["time_source"].get<std::string>().c_str());
        for (const auto& r : j["rois"])
          std::printf("  ROI (%d,%d) r %d: %.1f ± %.1f ms\n", r["row"].get<int>(), r["column"].get<int>(),
                      r["radius"].get<int>(), r["mean_ms"].get<double>(), r["sd_ms"].get<double>());
        if (j.contains("ecv")) std::printf("  ECV median %.1f %%\n", j["ecv"]["median_pct"].get<double>());
      }
    }
    return 0;
  } catch (const mapping::MappingError& e) {
    std::fprintf(stderr, "atrium map: %s\n", e.what());
    return 1;
  } catch (const cardiac::CardiacError& e) {
    std::fprintf(stderr, "atrium map: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium map: internal error: %s\n", e.what());
    return 1;
  }
}

}  // namespace atrium::cli
