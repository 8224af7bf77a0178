#pragma once
// What one 2D image cannot tell and the stack around it can: a slice labelled RV where the slices
// either side have the LV pool (the network took an apical LV for the RV), and basal slices that are
// atrium, not ventricle. Used by the learned segmenter after every image has its labels.
#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "cardiac/segmenter.h"
#include "cardiac/shapes.h"

namespace atrium::cardiac {

// How much of the LV pool's outline (the pixels just outside the shaped labels' pool) the network
// labelled myocardium (rawLabels: before the shape rules closed the ring); -1 where there is no pool.
double wallCoverage(const Mask& rawLabels, const Mask& shapedLabels);
// wallCoverage of every image: [slice][phase].
std::vector<std::vector<double>> wallCoverages(const Segmentation& raw, const Segmentation& shaped);

// Where each slice's pixel (0, 0) lies in the first slice's pixel grid (x = column, y = row): zero for
// a stack planned as a block; slices planned one by one can be shifted in plane. Pixels of different
// slices are compared through these offsets.
std::vector<Point> sliceOffsets(const CineStack& stack);

// Per phase, the median centre of the slices' pools of one label, in the first slice's pixel grid
// (subtract a slice's offset for its own); none where no slice has one. No offsets: slices aligned.
std::vector<std::optional<Point>> poolCentres(const Segmentation& seg, Label pool,
                                              const std::vector<Point>& offsets = {});
// How many 4-connected components of one label an image's labels hold.
int componentCount(const Mask& labels, Label label);

// (slice, phase) whose RV lies on the LV pools of the slices beside it (same phase, placed by the
// offsets): more than half of its RV pixels inside the union of their pools, and more RV pixels there
// than LV pool pixels in the image (the network may leave a scrap of LV beside the mislabelled pool).
std::vector<std::pair<std::size_t, std::size_t>> rvOnNeighboursLv(const Segmentation& seg,
                                                                  const std::vector<Point>& offsets = {});

// Which end of the stack is the base: the end third with the larger LV and RV pools (summed over
// every phase). Returns true when the base is the last slice, false when it is the first.
bool baseIsLast(const Segmentation& seg);

// ACDC's and the SCMR's convention: a basal slice counts as ventricle when the myocardium surrounds
// at least half of the blood pool; otherwise it is atrium. From the base inwards, per phase, the LV
// pool and wall of at most `maxSlices` slices whose wallCoverage (coverage[slice][phase], measured
// before the shape rules) is under the threshold are removed; the first slice that passes stops it.
// Returns how many images lost their LV labels.
constexpr double kBasalWallCoverage = 0.5;
std::size_t dropAtrialBase(Segmentation& seg, const std::vector<std::vector<double>>& coverage,
                           std::size_t maxSlices = 2, double threshold = kBasalWallCoverage);

}  // namespace atrium::cardiac
