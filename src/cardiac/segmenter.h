#pragma once
// Segmentation behind a small interface, so that a learned model can replace or join the method
// that needs no training data.
#include <memory>
#include <string>
#include <vector>

#include "cardiac/cine_stack.h"
#include "cardiac/image2d.h"

namespace atrium::cardiac {

// Pixel values of the stack: images[slice][phase] (Modality LUT applied).
struct CineData {
  std::vector<std::vector<Image>> images;
};
CineData loadCineData(const CineStack& stack);

// Labels per slice and phase (kLvBlood, kLvMyocardium, kRvBlood).
using Segmentation = std::vector<std::vector<Mask>>;

// Throws CardiacError unless seg holds one mask per slice and phase of the stack, each of its
// image's size: what every consumer (function, writers) indexes by. Checked at each of them.
void checkSegmentationShape(const CineStack& stack, const Segmentation& seg);

class ISegmenter {
 public:
  virtual ~ISegmenter() = default;
  virtual const char* name() const = 0;
  virtual Segmentation segment(const CineStack& stack, const CineData& data) = 0;
  // What the last segment() found doubtful (slices the model is unsure of, ...).
  virtual std::vector<std::string> warnings() const { return {}; }
};

// Intensity-based method for bright-blood (SSFP) short-axis cine, no training data: the heart is
// found by its motion, the LV blood pool as the round bright region there (holes filled, so
// papillary muscles and trabeculations count as blood), the myocardium as the darker band around it
// found along rays, the RV as the bright region next to the septum.
std::unique_ptr<ISegmenter> makeClassicSegmenter();

}  // namespace atrium::cardiac
