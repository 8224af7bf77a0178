#include "cardiac/aha_segments.h"

#include <cmath>

#include "cardiac/cine_stack.h"

namespace atrium::cardiac {
namespace {

bool centroid(const Mask& m, double& cx, double& cy) {
  double sx = 0, sy = 0, n = 0;
  for (int y = 0; y < m.height; ++y)
    for (int x = 0; x < m.width; ++x)
      if (m.at(x, y)) sx += x, sy += y, n += 1;
  if (n == 0) return false;
  cx = sx / n;
  cy = sy / n;
  return true;
}

// Angle difference a - b in (-pi, pi].
double wrap(double a) {
  while (a <= -M_PI) a += 2 * M_PI;
  while (a > M_PI) a -= 2 * M_PI;
  return a;
}

}  // namespace

const char* levelName(SliceLevel l) {
  switch (l) {
    case SliceLevel::Basal:
      return "basal";
    case SliceLevel::Mid:
      return "mid";
    case SliceLevel::Apical:
      return "apical";
  }
  return "?";
}

const char* segmentName(int s) {
  static const char* names[] = {"",
                                "basal anterior",
                                "basal anteroseptal",
                                "basal inferoseptal",
                                "basal inferior",
                                "basal inferolateral",
                                "basal anterolateral",
                                "mid anterior",
                                "mid anteroseptal",
                                "mid inferoseptal",
                                "mid inferior",
                                "mid inferolateral",
                                "mid anterolateral",
                                "apical anterior",
                                "apical septal",
                                "apical inferior",
                                "apical lateral"};
  return s >= 1 && s <= 16 ? names[s] : "";
}

Grid<int> assignSegments(const SegmentInput& in, SliceLevel level) {
  const Mask& myo = *in.myocardium;
  double cx = 0, cy = 0, rx = 0, ry = 0;
  if (!centroid(*in.lvBlood, cx, cy) && !centroid(myo, cx, cy)) throw CardiacError("no LV myocardium on this slice");
  if (!centroid(*in.rv, rx, ry)) throw CardiacError("no RV on this slice: the septum cannot be located");
  // Angles grow from the septum towards the anterior wall (the sense is the image's: chosen so
  // that a step from the septum centre towards the anterior side is positive).
  const double septum = std::atan2(ry - cy, rx - cx);
  const double towardsAnterior = std::cos(septum + 0.5) * in.anterior[0] + std::sin(septum + 0.5) * in.anterior[1] -
                                 (std::cos(septum - 0.5) * in.anterior[0] + std::sin(septum - 0.5) * in.anterior[1]);
  const double sense = towardsAnterior >= 0 ? 1 : -1;
  Grid<int> out(myo.width, myo.height, 0);
  for (int y = 0; y < myo.height; ++y)
    for (int x = 0; x < myo.width; ++x) {
      if (!myo.at(x, y)) continue;
      // Position in degrees from the septum's centre, positive towards the anterior side.
      double a = sense * wrap(std::atan2(y - cy, x - cx) - septum) * 180 / M_PI;
      int segment = 0;
      if (level == SliceLevel::Apical) {
        // septal -45..45, anterior 45..135, lateral beyond, inferior -135..-45.
        if (a >= -45 && a < 45)
          segment = 14;
        else if (a >= 45 && a < 135)
          segment = 13;
        else if (a >= -135 && a < -45)
          segment = 15;
        else
          segment = 16;
      } else {
        // anteroseptal 0..60, anterior 60..120, anterolateral 120..180, inferolateral -180..-120,
        // inferior -120..-60, inferoseptal -60..0.
        int k;
        if (a >= 0 && a < 60)
          k = 2;
        else if (a >= 60 && a < 120)
          k = 1;
        else if (a >= 120)
          k = 6;
        else if (a < -120)
          k = 5;
        else if (a < -60)
          k = 4;
        else
          k = 3;
        segment = k + (level == SliceLevel::Mid ? 6 : 0);
      }
      out.at(x, y) = segment;
    }
  return out;
}

}  // namespace atrium::cardiac
