#pragma once
// Regional function: the wall thickness of each AHA segment (1-16) at end-diastole and
// end-systole, and its systolic thickening, from the LV myocardium of the segmentation.
// Thickness along rays from the LV centre every 2°: the run of myocardium the ray crosses, in mm;
// a segment's value is the mean over its rays on every slice of its level (basal, mid and apical
// thirds of the slices with LV). The RV places the septum.
#include <string>
#include <vector>

#include "cardiac/aha_segments.h"
#include "cardiac/cine_stack.h"
#include "cardiac/segmenter.h"

namespace atrium::cardiac {

struct SegmentThickness {
  int segment = 0;
  std::string name;
  double edMm = 0, esMm = 0, thickeningPct = 0;
};

struct RegionalFunction {
  std::vector<SegmentThickness> segments;  // those measured (a segment without myocardium is left out)
  std::string note;                        // why nothing was measured, when so
};

RegionalFunction regionalFunction(const CineStack& stack, const Segmentation& seg, int edPhase, int esPhase);

// One slice's mean thickness (mm) per segment; pixelMm: the pixel size (square pixels assumed).
std::vector<std::pair<int, double>> sliceThickness(const Mask& myocardium, const Mask& lvBlood, const Mask& rv,
                                                   std::array<double, 2> anterior, SliceLevel level, double pixelMm);

}  // namespace atrium::cardiac
