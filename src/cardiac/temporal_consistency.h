#pragma once
// A slice's LV blood pool changes smoothly over the cardiac cycle. A phase whose area jumps away
// from its neighbours' (a pool missed in a low-contrast basal systole, a leak into the atrium or the
// RV through a thin wall) is segmented again, guided by the adjacent phase that agrees.
#include <functional>
#include <vector>

#include "cardiac/segmenter.h"

namespace atrium::cardiac {

// Phases of one slice whose LV area disagrees with the cycle around it: an empty phase where most
// phases have a pool, or an area more than `tolerance` away from the median of the three phases
// either side (the cycle wraps around). A slice with a pool in fewer than half of its phases (beyond
// the apex, the moving base) is left alone.
constexpr double kAreaTolerance = 0.3;
std::vector<bool> inconsistentPhases(const std::vector<double>& areas, double tolerance = kAreaTolerance);

// Labels of (slice, phase) segmented again with the labels of an adjacent phase as a guide; an
// empty mask where nothing was found.
using GuidedSegmentation = std::function<Mask(int slice, int phase, const Mask& guide)>;

// Re-segments the inconsistent phases of every slice from their consistent neighbours outwards (a run
// of failed phases is filled one phase at a time), keeping a new result only where its area is closer
// to the cycle's than the first one. Returns how many images were replaced.
int enforceTemporalConsistency(Segmentation& seg, const GuidedSegmentation& resegment);

// The same along the stack, where the base moves through the slices: from the slice with the widest
// LV at end-diastole outwards, a pool that at some phase outgrows its inner neighbour's by more than
// kAreaTolerance beyond their end-diastolic ratio has taken in the outflow tract or the atrium (the
// base descends in systole); it is segmented again guided by that neighbour's pool at the same
// phase and replaced when that comes closer to the ratio. Returns how many images were replaced.
int enforceSliceConsistency(Segmentation& seg, const GuidedSegmentation& resegment);

// The RV over the cycle: a slice with an RV in fewer than half of its phases (fat or a vessel caught
// now and then) loses its RV label, and so does a single phase with an RV between two without; a
// phase whose RV area jumps above the cycle's (a leak into the
// atrium or a vessel) keeps only what lies within nearPx of the adjacent consistent phase's RV.
void cleanRvOverCycle(Segmentation& seg, int nearPx);

}  // namespace atrium::cardiac
