#pragma once
// Shapes the segmenter works with: regions of a label image, how round they are, hulls, star shapes
// around a centre (one radius per ray), and distance bands.
#include <vector>

#include "cardiac/image2d.h"

namespace atrium::cardiac {

struct Point {
  double x = 0, y = 0;
};

struct Region {
  Mask mask;
  double area = 0;  // pixels
  Point centre;
};

// The pixels of one label, their count and centroid.
Region regionOf(const Grid<int>& labels, int label);
// The largest 4-connected component of a mask.
Region largestRegion(const Mask& m);
// The pixels of one label, as a mask.
Mask maskOf(const Mask& labels, Label label);
// The label's pixels outside its largest 4-connected component become background.
void keepLargestComponent(Mask& labels, Label label);
// The label's pixels outside one 4-connected component become background: the component with the
// largest area × exp(-(d / sigma)²), d its centroid's distance from `near` (pixels).
void keepComponentNear(Mask& labels, Label label, Point near, double sigma);
// 4πA/P² with the perimeter as boundary pixels: 1 for a disk, small for a crescent.
double roundness(const Region& r);
// The mask with its convex hull filled in, when the hull adds at most 15 % (notches left by
// papillary muscles against the wall; a larger addition would be another structure).
Mask convexIfNotched(const Mask& m);
// Each value replaced by the median of itself and `half` values either side, around the circle.
std::vector<double> circularMedian(const std::vector<double>& v, int half);
// The pixels within radii[k] of the centre along the ray at angle 2πk/n (linear between rays).
Mask starShape(int width, int height, Point c, const std::vector<double>& radii);
// Pixels within r (chessboard distance) of the mask.
Mask withinDistance(const Mask& m, int r);
// The pixels just outside the mask: not in it, with one of their 8 neighbours in it (a 4-connected ring).
Mask outerRing(const Mask& m);

}  // namespace atrium::cardiac
