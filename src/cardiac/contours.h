#pragma once
// Outlines of label regions, as polygons in pixel and in patient coordinates.
#include <vector>

#include "cardiac/cine_stack.h"
#include "cardiac/image2d.h"

namespace atrium::cardiac {

struct PixelPoint {
  double x, y;  // column, row (pixel centres)
};

// The outer boundary of each 4-connected region of a mask along its pixels' edges (so the polygon's
// area is the region's pixel count, and a volume a TPS computes from the contours is the one
// Atrium reports), simplified to within `tolerance` pixels; holes are not traced.
std::vector<std::vector<PixelPoint>> traceOutlines(const Mask& mask, double tolerance = 0.5);

// Pixel (column, row) → patient coordinates of that image (PS3.3 C.7.6.2.1.1), and back (the
// point projected onto the image plane).
Vec3 toPatient(const CineImage& image, const PixelPoint& p);
PixelPoint toPixel(const CineImage& image, const Vec3& p);

// A closed polygon in pixel coordinates: whether (x, y) is inside (even-odd rule; a pixel belongs to
// an outline when its centre does), and its area in pixels.
bool insidePolygon(const std::vector<PixelPoint>& polygon, double x, double y);
double polygonArea(const std::vector<PixelPoint>& polygon);

}  // namespace atrium::cardiac
