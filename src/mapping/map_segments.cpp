#include "mapping/map_segments.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

#include "cardiac/contours.h"
#include "cardiac/geometry.h"

namespace atrium::mapping {
namespace {

using cardiac::Mask;
using cardiac::Vec3;
using cardiac::operator-;

enum class Structure { LvBlood, Myocardium, Rv, Other };

Structure structureOf(std::string name) {
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (name.find("myocard") != std::string::npos || name.find("epi") != std::string::npos) return Structure::Myocardium;
  if (name.find("rv") != std::string::npos || name.find("right") != std::string::npos) return Structure::Rv;
  if (name.find("lv") != std::string::npos || name.find("left") != std::string::npos) return Structure::LvBlood;
  return Structure::Other;
}

using Polygon = std::vector<cardiac::PixelPoint>;  // (column, row) on the map

void fill(Mask& m, const Polygon& p, std::uint8_t value) {
  for (int y = 0; y < m.height; ++y)
    for (int x = 0; x < m.width; ++x)
      if (cardiac::insidePolygon(p, x, y)) m.at(x, y) = value;
}

struct SlicePolygons {
  double position = 0;
  std::map<std::string, std::vector<std::pair<Structure, Polygon>>> byImage;
};

}  // namespace

std::optional<MapSegments> segmentMap(const RelaxationMap& map, const std::vector<cardiac::StoredContour>& contours,
                                      std::string& why) {
  const cardiac::MrImage& ref = map.reference;
  const Vec3 normal = cardiac::cross(ref.rowDir, ref.colDir);
  // Contours grouped by their plane (1 mm bins along the map's normal), in map pixel coordinates.
  std::map<long long, SlicePolygons> slices;
  for (const auto& c : contours) {
    const Structure s = structureOf(c.roiName);
    if (s == Structure::Other) continue;
    const double d = cardiac::dot(c.points.front() - ref.position, normal);
    Polygon p;
    bool inPlane = true;
    for (const auto& pt : c.points) {
      inPlane = inPlane && std::abs(cardiac::dot(pt - ref.position, normal) - d) < 1.0;
      p.push_back(cardiac::toPixel(ref, pt));
    }
    if (!inPlane) continue;  // not a short-axis contour parallel to the map
    auto& slice = slices[std::llround(d)];
    slice.position = d;
    slice.byImage[c.imageSopUid].push_back({s, std::move(p)});
  }
  if (slices.empty()) {
    why = "no short-axis contour parallel to the map";
    return std::nullopt;
  }
  // The map's slice: the nearest contour plane within 4 mm.
  auto nearest = std::min_element(slices.begin(), slices.end(), [](const auto& a, const auto& b) {
    return std::abs(a.second.position) < std::abs(b.second.position);
  });
  if (std::abs(nearest->second.position) > 4) {
    why = "the nearest short-axis contours are " + std::to_string(int(std::abs(nearest->second.position))) +
          " mm from the map's plane";
    return std::nullopt;
  }
  // End-diastole of a slice: the image with the largest LV blood pool; the slice's size for the level.
  auto edOf = [](const SlicePolygons& s, double& area) {
    const std::vector<std::pair<Structure, Polygon>>* best = nullptr;
    area = -1;
    for (const auto& [uid, polys] : s.byImage) {
      double a = 0;
      for (const auto& [st, p] : polys)
        if (st == Structure::LvBlood) a += cardiac::polygonArea(p);
      if (a > area) area = a, best = &polys;
    }
    return best;
  };
  std::vector<std::pair<double, double>> levels;  // (position, ED blood area) of slices with myocardium
  for (const auto& [key, s] : slices) {
    double area = 0;
    auto polys = edOf(s, area);
    bool myo = false;
    for (const auto& [st, p] : *polys) myo = myo || st == Structure::Myocardium;
    if (myo) levels.push_back({s.position, area});
  }
  std::sort(levels.begin(), levels.end());
  // The base is the end with the larger cavity.
  if (levels.size() > 1 && levels.front().second < levels.back().second) std::reverse(levels.begin(), levels.end());
  std::size_t index = 0;
  for (std::size_t i = 0; i < levels.size(); ++i)
    if (std::abs(levels[i].first - nearest->second.position) < 1e-6) index = i;
  MapSegments result;
  result.offPlaneMm = std::abs(nearest->second.position);
  result.level = levels.size() < 2
                     ? cardiac::SliceLevel::Mid
                     : static_cast<cardiac::SliceLevel>(std::min<std::size_t>(2, index * 3 / levels.size()));
  double edArea = 0;
  const auto* polys = edOf(nearest->second, edArea);
  Mask epi(map.width, map.height, 0), blood(map.width, map.height, 0), rv(map.width, map.height, 0);
  std::vector<const Polygon*> myoPolys;
  for (const auto& [st, p] : *polys) {
    if (st == Structure::Myocardium) myoPolys.push_back(&p);
    if (st == Structure::LvBlood) fill(blood, p, 1);
    if (st == Structure::Rv) fill(rv, p, 1);
  }
  if (myoPolys.empty()) {
    why = "no LV myocardium outlined on the map's slice";
    return std::nullopt;
  }
  // The LV myocardium ROI holds the epicardium and the endocardium: the larger is the epicardium.
  std::sort(myoPolys.begin(), myoPolys.end(),
            [](const Polygon* a, const Polygon* b) { return cardiac::polygonArea(*a) > cardiac::polygonArea(*b); });
  fill(epi, *myoPolys.front(), 1);
  if (myoPolys.size() > 1) fill(blood, *myoPolys[1], 1);
  Mask myo(map.width, map.height, 0);
  for (std::size_t i = 0; i < myo.data.size(); ++i) myo.data[i] = epi.data[i] && !blood.data[i];
  const Vec3 anterior{0, -1, 0};  // LPS: the patient's front is -y
  cardiac::SegmentInput in{&myo, &blood, &rv, {cardiac::dot(anterior, ref.rowDir), cardiac::dot(anterior, ref.colDir)}};
  cardiac::Grid<int> segments;
  try {
    segments = cardiac::assignSegments(in, result.level);
  } catch (const std::exception& e) {
    why = e.what();
    return std::nullopt;
  }
  std::map<int, std::pair<double, double>> sums;
  std::map<int, int> counts;
  double all = 0;
  for (std::size_t p = 0; p < myo.data.size(); ++p) {
    const int s = segments.data[p];
    if (!s || !map.fitted[p]) continue;
    sums[s].first += map.valueMs[p];
    sums[s].second += double(map.valueMs[p]) * map.valueMs[p];
    ++counts[s];
    all += map.valueMs[p];
    ++result.myocardiumPixels;
  }
  if (!result.myocardiumPixels) {
    why = "no fitted pixel in the outlined myocardium";
    return std::nullopt;
  }
  result.myocardiumMeanMs = all / result.myocardiumPixels;
  for (const auto& [s, n] : counts) {
    SegmentValue v;
    v.segment = s;
    v.name = cardiac::segmentName(s);
    v.pixels = n;
    v.meanMs = sums[s].first / n;
    v.sdMs = std::sqrt(std::max(0.0, sums[s].second / n - v.meanMs * v.meanMs));
    result.segments.push_back(v);
  }
  return result;
}

}  // namespace atrium::mapping
