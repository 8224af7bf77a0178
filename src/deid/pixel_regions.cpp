#include "deid/pixel_regions.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace atrium::deid {

PixelRegions PixelRegions::load(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read the pixel regions file " + file.string());
  PixelRegions out;
  try {
    auto j = nlohmann::json::parse(in);
    for (const auto& r : j.at("regions")) {
      Rule rule;
      rule.manufacturer = r.value("manufacturer", "");
      rule.model = r.value("model", "");
      rule.modality = r.value("modality", "");
      rule.rows = r.value("rows", 0);
      rule.columns = r.value("columns", 0);
      for (const auto& b : r.at("blank")) {
        if (!b.is_array() || b.size() != 4) throw std::runtime_error("each blank region is [x0, y0, x1, y1]");
        Region g{b[0].get<int>(), b[1].get<int>(), b[2].get<int>(), b[3].get<int>()};
        if (g.x0 < 0 || g.y0 < 0 || g.x1 <= g.x0 || g.y1 <= g.y0)
          throw std::runtime_error("a blank region needs 0 <= x0 < x1 and 0 <= y0 < y1");
        rule.blank.push_back(g);
      }
      out.rules_.push_back(std::move(rule));
    }
  } catch (const std::exception& e) {
    throw std::runtime_error("pixel regions file " + file.string() + ": " + e.what());
  }
  return out;
}

std::optional<std::vector<Region>> PixelRegions::regionsFor(const ImageIdentity& image) const {
  for (const auto& r : rules_) {
    if (!r.manufacturer.empty() && r.manufacturer != image.manufacturer) continue;
    if (!r.model.empty() && r.model != image.model) continue;
    if (!r.modality.empty() && r.modality != image.modality) continue;
    if (r.rows && r.rows != image.rows) continue;
    if (r.columns && r.columns != image.columns) continue;
    return r.blank;
  }
  if (image.modality == "US" && image.rows > 0)
    return std::vector<Region>{{0, 0, image.columns, (image.rows + 9) / 10}};
  return std::nullopt;
}

}  // namespace atrium::deid
