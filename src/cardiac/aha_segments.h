#pragma once
// The AHA 17-segment model (Cerqueira et al., Circulation 2002;105:539-542) on one short-axis
// slice: basal and mid slices have six 60° segments, apical slices four 90° ones, counted from the
// anterior RV insertion. The septum is where the RV is: its centre, seen from the LV centre, is the
// middle of the septal segments; "anterior" is the side of the patient's front.
#include <array>
#include <string>

#include "cardiac/image2d.h"

namespace atrium::cardiac {

enum class SliceLevel { Basal, Mid, Apical };
const char* levelName(SliceLevel l);

// AHA segment names, 1..16 (17, the apical cap, has no short-axis slice).
const char* segmentName(int segment);

struct SegmentInput {
  const Mask* myocardium;          // the pixels to assign
  const Mask* lvBlood;             // for the LV centre (the myocardium's centre when empty)
  const Mask* rv;                  // for the septum's direction
  std::array<double, 2> anterior;  // the patient's anterior direction in image (column, row) terms
};

// Segment number (1..16) per myocardium pixel, 0 elsewhere. Throws CardiacError when there is no
// myocardium or no RV to orient the segments by.
Grid<int> assignSegments(const SegmentInput& in, SliceLevel level);

}  // namespace atrium::cardiac
