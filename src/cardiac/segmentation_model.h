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
  // Slices on either side of the image that the network also reads (the card's "context_slices";
  // 0: the image alone). An input is then 2 * contextSlices() + 1 crops in stack order, the image
  // in the middle; beyond the stack's ends the image stands in for its missing neighbours.
  int contextSlices() const { return context_; }
  static constexpr int kMaxViews = 8;  // the square's turns and mirrorings, all seen in training
  static constexpr int kMaxContextSlices = 4;  // a sanity bound on the card's context_slices
  // Softmax probabilities of each crop (kModelCrop square): kClasses planes per crop. With views > 1,
  // the mean over that many views of the crop (identity, mirrored, half turn, mirrored half turn, then
  // the quarter turns), each turned back: the network's leaning one way cancels (test-time augmentation).
  // For a model with context, each crop stands in for its own neighbours.
  std::vector<std::vector<Image>> probabilities(const std::vector<Image>& crops, int views = 1);
  // The same for one input of 2 * contextSlices() + 1 crops (stack order, the image in the middle).
  std::vector<Image> probabilitiesInStack(const std::vector<Image>& stack, int views = 1);

 private:
  using Input = std::vector<Image>;  // the network's channels, each a kModelCrop square
  std::vector<std::vector<Image>> probabilitiesOf(std::vector<Input> inputs, int views);
  std::vector<std::vector<Image>> probabilitiesOfOneView(const std::vector<Input>& inputs);
  struct Network;  // OpenCV's, kept out of this header
  std::unique_ptr<Network> net_;
  std::string version_;
  int context_ = 0;
};

}  // namespace atrium::cardiac
