#pragma once
// The learned segmenter: a 2D U-Net trained by tools/cardiac/train.py on ACDC (models/README.md),
// run on the CPU with OpenCV's DNN module. Each image is normalised and resampled to the model's
// pixel size (learned_preprocess.h); the heart is found by running the model over tiles of a few
// mid-ventricular images; then every image is segmented in a crop around it, the class
// probabilities resampled back to the image's own grid, and the shape rules applied. The images of
// the phases the results come from (end-diastole, end-systole) are segmented again as the mean of
// four views (mirrored, turned: SegmentationModel::probabilities), which cost too much for all.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "cardiac/segmenter.h"
#include "cardiac/shapes.h"

namespace atrium::cardiac {

// The model file `atrium` uses: $ATRIUM_MODEL if set, else the installed one
// (<prefix>/share/atrium/models beside the executable's bin/), else the source tree's models/.
std::filesystem::path defaultModelPath();

// Loads the model (segmentation_model.h); CardiacError naming the file when it cannot be used.
std::unique_ptr<ISegmenter> makeLearnedSegmenter(const std::filesystem::path& model);

// The shape rules on one label image (kLvBlood, kLvMyocardium, kRvBlood): one component per
// structure, no holes in the LV pool, the myocardium all round the pool (a pixel of wall where the
// pool would touch anything else) and none without a pool, nothing unlabelled enclosed by the
// myocardium, the RV outside the LV's epicardium. The pool kept of each ventricle is its largest
// component or, given where the pool should be, the one scoring best by keepComponentNear.
struct PoolHints {
  std::optional<Point> lv, rv;  // pixels
  double sigma = 0;             // pixels
};
void applyShapeRules(Mask& labels, const PoolHints& near = {});

}  // namespace atrium::cardiac
