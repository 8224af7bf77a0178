#include "mapping/relaxation_map.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>
#include <set>

#include "cardiac/geometry.h"
#include "cardiac/image2d.h"

namespace atrium::mapping {
namespace {

using cardiac::MrImage;
using cardiac::operator-;

std::size_t distinctCount(const std::vector<double>& v) {
  std::set<long long> s;
  for (double x : v) s.insert(std::llround(x * 100));
  return s.size();
}

std::optional<double> commentNumber(const std::string& comment, const std::regex& re) {
  std::smatch m;
  if (std::regex_search(comment, m, re)) return std::stod(m[1]);
  return std::nullopt;
}

// The times of kind for the images, and where they came from; empty when not every image has one.
std::vector<double> timesOf(const std::vector<MrImage>& imgs, MapKind kind, std::string& source) {
  static const std::regex ti(R"(\bTI\s*[=:]?\s*(\d+(?:\.\d+)?))", std::regex::icase);
  static const std::regex t2p(R"(\bT2\s*-?\s*P(?:REP)?\s*[=:]?\s*(\d+(?:\.\d+)?))", std::regex::icase);
  auto gather = [&](auto get) {
    std::vector<double> out;
    for (const auto& i : imgs) {
      auto v = get(i);
      if (!v) return std::vector<double>{};
      out.push_back(*v);
    }
    return out;
  };
  std::vector<double> t;
  if (kind == MapKind::Molli || kind == MapKind::Sasha) {
    if (t = gather([](const MrImage& i) { return i.inversionTimeMs; }); distinctCount(t) >= 3) {
      source = "(0018,0082) Inversion Time";
      return t;
    }
    if (t = gather([&](const MrImage& i) { return commentNumber(i.imageComments, ti); }); distinctCount(t) >= 3) {
      source = "Image Comments (TI)";
      return t;
    }
    // Some vendors keep each image's inversion time as its trigger time.
    if (t = gather([](const MrImage& i) { return std::optional<double>(i.triggerTime); }); distinctCount(t) >= 3) {
      source = "(0018,1060) Trigger Time";
      return t;
    }
    return {};
  }
  if (t = gather([](const MrImage& i) { return i.echoTimeMs; }); distinctCount(t) >= 3) {
    source = "(0018,0081) Echo Time";
    return t;
  }
  if (kind == MapKind::T2) {
    if (t = gather([&](const MrImage& i) { return commentNumber(i.imageComments, t2p); }); distinctCount(t) >= 3) {
      source = "Image Comments (T2 preparation)";
      return t;
    }
  }
  return {};
}

MapKind guessKind(const std::vector<MrImage>& imgs) {
  std::string source;
  if (!timesOf(imgs, MapKind::T2Star, source).empty()) {
    const std::string& seq = imgs.front().scanningSequence;
    return seq.find("GR") != std::string::npos && seq.find("SE") == std::string::npos ? MapKind::T2Star : MapKind::T2;
  }
  if (!timesOf(imgs, MapKind::T2, source).empty()) return MapKind::T2;
  return MapKind::Molli;
}

const char* timeName(MapKind k) {
  return k == MapKind::Molli || k == MapKind::Sasha ? "inversion/saturation times" : "echo/preparation times";
}

}  // namespace

std::vector<MapInput> selectMapInputs(const std::vector<MrImage>& images, std::optional<MapKind> kind) {
  if (images.empty()) throw MappingError("no MR image found");
  const MrImage& first = images.front();
  // One map per slice position; every image of the set in the same plane and matrix.
  std::map<long long, std::vector<MrImage>> bySlice;
  const cardiac::Vec3 normal = cardiac::cross(first.rowDir, first.colDir);
  for (const auto& img : images) {
    if (img.rows != first.rows || img.columns != first.columns)
      throw MappingError("mixed geometry: " + img.file.filename().string() + " is " + std::to_string(img.columns) +
                         "x" + std::to_string(img.rows) + ", " + first.file.filename().string() + " " +
                         std::to_string(first.columns) + "x" + std::to_string(first.rows));
    if (std::abs(cardiac::dot(img.rowDir, first.rowDir)) < 0.999 ||
        std::abs(cardiac::dot(img.colDir, first.colDir)) < 0.999 ||
        std::abs(img.rowSpacing - first.rowSpacing) > 1e-3 || std::abs(img.colSpacing - first.colSpacing) > 1e-3)
      throw MappingError("mixed geometry: " + img.file.filename().string() +
                         " has another orientation or pixel spacing");
    bySlice[std::llround(cardiac::dot(img.position, normal) * 10)].push_back(img);
  }
  std::vector<MapInput> out;
  for (auto& [pos, imgs] : bySlice) {
    MapInput in;
    in.kind = kind ? *kind : guessKind(imgs);
    in.timesMs = timesOf(imgs, in.kind, in.timeSource);
    if (in.timesMs.empty()) {
      std::set<long long> ti, te;
      for (const auto& i : imgs) {
        if (i.inversionTimeMs) ti.insert(std::llround(*i.inversionTimeMs));
        if (i.echoTimeMs) te.insert(std::llround(*i.echoTimeMs));
      }
      throw MappingError(std::string("fewer than 3 ") + timeName(in.kind) + " for a " + kindName(in.kind) +
                         " map at slice position " + std::to_string(pos / 10.0).substr(0, 6) + " mm (" +
                         std::to_string(imgs.size()) + " images, " + std::to_string(ti.size()) +
                         " distinct inversion times, " + std::to_string(te.size()) + " distinct echo times)");
    }
    // Within a slice, also the same position in the plane.
    for (const auto& i : imgs)
      if (cardiac::norm(i.position - imgs.front().position) > 0.5)
        throw MappingError("mixed geometry: " + i.file.filename().string() + " is shifted in the slice plane");
    in.images = std::move(imgs);
    out.push_back(std::move(in));
  }
  return out;
}

RelaxationMap computeMap(const MapInput& input, const FitOptions& options) {
  RelaxationMap map;
  map.kind = input.kind;
  map.reference = input.images.front();
  map.sources = input.images;
  map.timesMs = input.timesMs;
  map.timeSource = input.timeSource;
  map.width = map.reference.columns;
  map.height = map.reference.rows;
  const std::size_t n = input.images.size(), pixels = std::size_t(map.width) * map.height;
  std::vector<float> signals(pixels * n);
  cardiac::PixelReader reader;
  for (std::size_t i = 0; i < n; ++i) {
    auto px = reader.read(input.images[i]);
    if (px.size() != pixels) throw MappingError("cannot read the pixels of " + input.images[i].file.string());
    for (std::size_t p = 0; p < pixels; ++p) signals[p * n + i] = std::abs(px[p]);
  }
  // Background: pixels whose strongest signal is under a tenth of the image's bright tissue.
  std::vector<float> peak(pixels);
  for (std::size_t p = 0; p < pixels; ++p)
    peak[p] = *std::max_element(signals.begin() + p * n, signals.begin() + (p + 1) * n);
  std::vector<float> sorted = peak;
  std::nth_element(sorted.begin(), sorted.begin() + sorted.size() * 99 / 100, sorted.end());
  const float threshold = 0.1f * sorted[sorted.size() * 99 / 100];
  std::vector<std::size_t> inside;
  std::vector<float> insideSignals;
  for (std::size_t p = 0; p < pixels; ++p)
    if (peak[p] > threshold && peak[p] > 0) {
      inside.push_back(p);
      insideSignals.insert(insideSignals.end(), signals.begin() + p * n, signals.begin() + (p + 1) * n);
    }
  FitOptions opts = options;
  if (opts.t2StarTruncation && opts.noiseFloor <= 0) opts.noiseFloor = threshold / 2;
  auto fits = fitPixels(input.kind, input.timesMs, insideSignals, opts);
  map.valueMs.assign(pixels, 0);
  map.r2.assign(pixels, 0);
  map.fitted.assign(pixels, 0);
  std::vector<float> values;
  double r2Sum = 0;
  for (std::size_t k = 0; k < inside.size(); ++k) {
    if (!fits[k].ok) continue;
    const std::size_t p = inside[k];
    map.valueMs[p] = static_cast<float>(fits[k].valueMs);
    map.r2[p] = static_cast<float>(fits[k].r2);
    map.fitted[p] = 1;
    values.push_back(map.valueMs[p]);
    r2Sum += fits[k].r2;
  }
  map.pixelsFitted = static_cast<int>(values.size());
  map.medianMs = cardiac::median(values);
  map.meanR2 = values.empty() ? 0 : r2Sum / values.size();
  return map;
}

RegionStats regionStats(const RelaxationMap& map, int row, int column, int radius) {
  RegionStats s;
  double sum = 0, sum2 = 0;
  forEachInDisk(map.width, map.height, row, column, radius, [&](std::size_t p) {
    if (!map.fitted[p]) return;
    sum += map.valueMs[p];
    sum2 += double(map.valueMs[p]) * map.valueMs[p];
    ++s.pixels;
  });
  if (s.pixels) {
    s.meanMs = sum / s.pixels;
    s.sdMs = std::sqrt(std::max(0.0, sum2 / s.pixels - s.meanMs * s.meanMs));
  }
  return s;
}

}  // namespace atrium::mapping
