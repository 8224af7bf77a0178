#pragma once
// The trained network as a file: loaded with its card (<model>.json: version, SHA-256, pixel
// size, crop) and run with OpenCV's DNN module on preprocessed crops (learned_preprocess.h).
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cardiac/image2d.h"

namespace atrium::cardiac {

class SegmentationModel {
 public:
  static constexpr int kClasses = 4;  // background, RV blood, LV myocardium, LV blood (ACDC's order)

  // CardiacError naming the file when it is missing, damaged (SHA-256 differs from the card's) or
  // not the expected network.
  explicit SegmentationModel(const std::filesystem::path& file);
  ~SegmentationModel();
  SegmentationModel(const SegmentationModel&) = delete;
  SegmentationModel& operator=(const SegmentationModel&) = delete;

  const std::string& version() const { return version_; }
  // Softmax probabilities of each crop (kModelCrop square): kClasses planes per crop.
  std::vector<std::vector<Image>> probabilities(const std::vector<Image>& crops);
  // The most probable class of each pixel (0..kClasses-1).
  std::vector<Mask> classes(const std::vector<Image>& crops);

 private:
  struct Network;  // OpenCV's, kept out of this header
  std::unique_ptr<Network> net_;
  std::string version_;
};

}  // namespace atrium::cardiac
