#include "cardiac/contour_segmentation.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "cardiac/contours.h"

namespace atrium::cardiac {
namespace {

struct ImageAt {
  std::size_t slice, phase;
};

std::map<std::pair<std::string, unsigned>, ImageAt> imageIndex(const CineStack& stack) {
  std::map<std::pair<std::string, unsigned>, ImageAt> index;
  for (std::size_t s = 0; s < stack.slices.size(); ++s)
    for (std::size_t p = 0; p < stack.slices[s].phases.size(); ++p) {
      const CineImage& img = stack.slices[s].phases[p];
      index[{img.sopInstanceUid, img.frame}] = {s, p};
    }
  return index;
}

}  // namespace

Segmentation segmentationFromContours(const CineStack& stack, const nlohmann::json& contours) {
  if (!contours.is_array()) throw ContourError("\"contours\" must be a list");
  Segmentation seg(stack.slices.size());
  for (std::size_t s = 0; s < stack.slices.size(); ++s)
    for (const auto& img : stack.slices[s].phases) seg[s].emplace_back(img.columns, img.rows, kBackground);
  const auto index = imageIndex(stack);
  // Per image: the polygons of each structure, filled in the order epi, endo, RV.
  std::map<std::pair<std::size_t, std::size_t>, std::map<std::string, std::vector<std::vector<PixelPoint>>>> polys;
  for (std::size_t k = 0; k < contours.size(); ++k) {
    const auto& c = contours[k];
    const std::string where = "contour " + std::to_string(k);
    if (!c.is_object()) throw ContourError(where + ": not an object");
    const std::string structure = c.value("structure", "");
    if (structure != "lv_endo" && structure != "lv_epi" && structure != "rv_endo")
      throw ContourError(where + ": structure must be lv_endo, lv_epi or rv_endo, not '" + structure + "'");
    const std::string sop = c.value("sop_instance_uid", "");
    const int frame = c.contains("frame") && c["frame"].is_number_integer() ? c["frame"].get<int>() : 1;
    auto it = index.find({sop, static_cast<unsigned>(std::max(frame, 1) - 1)});
    if (it == index.end())
      throw ContourError(where + ": image " + sop + " frame " + std::to_string(frame) +
                         " is not an image of the analysed cine");
    const CineImage& img = stack.slices[it->second.slice].phases[it->second.phase];
    if (!c.contains("points") || !c["points"].is_array()) throw ContourError(where + ": no \"points\" list");
    std::vector<PixelPoint> poly;
    for (const auto& p : c["points"]) {
      if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number())
        throw ContourError(where + ": each point is [column, row]");
      const double x = p[0].get<double>(), y = p[1].get<double>();
      if (x < -0.5 || y < -0.5 || x > img.columns - 0.5 || y > img.rows - 0.5)
        throw ContourError(where + ": point [" + std::to_string(x) + ", " + std::to_string(y) + "] is outside the " +
                           std::to_string(img.columns) + "x" + std::to_string(img.rows) + " image");
      if (poly.empty() || poly.back().x != x || poly.back().y != y) poly.push_back({x, y});
    }
    if (poly.size() > 1 && poly.front().x == poly.back().x && poly.front().y == poly.back().y)
      poly.pop_back();  // an explicitly closed ring
    if (poly.size() < 3 || polygonArea(poly) < 1e-6)
      throw ContourError(where + ": fewer than 3 distinct points, not a closed polygon");
    polys[{it->second.slice, it->second.phase}][structure].push_back(std::move(poly));
  }
  for (const auto& entry : polys) {
    const auto& at = entry.first;
    const auto& byStructure = entry.second;  // a plain reference: lambdas may capture it (not a binding)
    Mask& m = seg[at.first][at.second];
    auto fill = [&](const char* structure, Label label, bool overLv) {
      auto found = byStructure.find(structure);
      if (found == byStructure.end()) return;
      for (int y = 0; y < m.height; ++y)
        for (int x = 0; x < m.width; ++x) {
          if (!overLv && (m.at(x, y) == kLvBlood || m.at(x, y) == kLvMyocardium)) continue;
          for (const auto& poly : found->second)
            if (insidePolygon(poly, x, y)) {
              m.at(x, y) = label;
              break;
            }
        }
    };
    fill("lv_epi", kLvMyocardium, true);
    fill("lv_endo", kLvBlood, true);
    fill("rv_endo", kRvBlood, false);
  }
  return seg;
}

nlohmann::json contoursFromStructureSet(const CineStack& stack, const std::vector<StoredContour>& stored) {
  std::map<std::string, const CineImage*> bySop;
  for (const auto& sl : stack.slices)
    for (const auto& img : sl.phases) bySop.emplace(img.sopInstanceUid, &img);
  // Per image, the LV myocardium ROI's outlines: the larger one is the epicardium.
  std::map<std::string, std::vector<std::vector<PixelPoint>>> myocardium;
  nlohmann::json out = nlohmann::json::array();
  auto toPixels = [](const CineImage& img, const StoredContour& c) {
    std::vector<PixelPoint> poly;
    for (const auto& p : c.points) poly.push_back(toPixel(img, p));
    return poly;
  };
  auto emit = [&](const CineImage& img, const char* structure, const std::vector<PixelPoint>& poly) {
    nlohmann::json pts = nlohmann::json::array();
    for (const auto& p : poly) pts.push_back({std::round(p.x * 100) / 100, std::round(p.y * 100) / 100});
    out.push_back({{"sop_instance_uid", img.sopInstanceUid},
                   {"frame", img.frame + 1},
                   {"structure", structure},
                   {"points", pts}});
  };
  for (const auto& c : stored) {
    auto it = bySop.find(c.imageSopUid);
    if (it == bySop.end()) continue;
    if (c.roiName == "LV blood pool") emit(*it->second, "lv_endo", toPixels(*it->second, c));
    if (c.roiName == "RV blood pool") emit(*it->second, "rv_endo", toPixels(*it->second, c));
    if (c.roiName == "LV myocardium") myocardium[c.imageSopUid].push_back(toPixels(*it->second, c));
  }
  for (const auto& [sop, list] : myocardium) {
    auto epi = std::max_element(list.begin(), list.end(),
                                [](const auto& a, const auto& b) { return polygonArea(a) < polygonArea(b); });
    emit(*bySop[sop], "lv_epi", *epi);
  }
  return out;
}

}  // namespace atrium::cardiac
