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
  static constexpr int kMaxViews = 8;  // the square's turns and mirrorings, all seen in training
  // Softmax probabilities of each crop (kModelCrop square): kClasses planes per crop. With views > 1,
  // the mean over that many views of the crop (identity, mirrored, half turn, mirrored half turn, then
  // the quarter turns), each turned back: the network's leaning one way cancels (test-time augmentation).
  std::vector<std::vector<Image>> probabilities(const std::vector<Image>& crops, int views = 1);
  // The most probable class of each pixel (0..kClasses-1).
  std::vector<Mask> classes(const std::vector<Image>& crops);

 private:
  std::vector<std::vector<Image>> probabilitiesOfOneView(const std::vector<Image>& crops);
  struct Network;  // OpenCV's, kept out of this header
  std::unique_ptr<Network> net_;
  std::string version_;
};

}  // namespace atrium::cardiac
