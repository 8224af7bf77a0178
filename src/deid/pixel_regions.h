#pragma once
// Where burned-in text sits, per manufacturer, model, modality and image size: a configuration file
// in the spirit of the pixel scripts of RSNA's CTP, and a built-in rule for the layout every
// ultrasound system shares (the header band at the top of the image).
//
//   {"regions": [{"manufacturer": "ACME", "model": "Vivid 7", "modality": "US", "rows": 600,
//                 "columns": 800, "blank": [[x0, y0, x1, y1], ...]}]}
//
// Empty or absent matching fields match anything; x1 and y1 are exclusive (pixels x0..x1-1).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace atrium::deid {

struct Region {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

struct ImageIdentity {
  std::string manufacturer, model, modality;
  int rows = 0, columns = 0;
};

class PixelRegions {
 public:
  PixelRegions() = default;
  // std::runtime_error naming the file and what is wrong.
  static PixelRegions load(const std::filesystem::path& file);

  // The regions to blank: the first configured rule that matches, else the built-in ultrasound
  // header band (the top tenth of the image) for modality US; nullopt when nothing is known.
  std::optional<std::vector<Region>> regionsFor(const ImageIdentity& image) const;

 private:
  struct Rule {
    std::string manufacturer, model, modality;
    int rows = 0, columns = 0;
    std::vector<Region> blank;
  };
  std::vector<Rule> rules_;
};

}  // namespace atrium::deid
