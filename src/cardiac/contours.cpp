#include "cardiac/contours.h"

#include <cmath>

namespace atrium::cardiac {
namespace {

// Douglas-Peucker on a closed polygon (split at the first point and the farthest from it).
void simplify(const std::vector<PixelPoint>& pts, std::size_t a, std::size_t b, double tol, std::vector<bool>& keep) {
  if (b <= a + 1) return;
  double dx = pts[b].x - pts[a].x, dy = pts[b].y - pts[a].y, len = std::hypot(dx, dy);
  double best = -1;
  std::size_t at = a;
  for (std::size_t i = a + 1; i < b; ++i) {
    double d = len > 0 ? std::abs(dy * (pts[i].x - pts[a].x) - dx * (pts[i].y - pts[a].y)) / len
                       : std::hypot(pts[i].x - pts[a].x, pts[i].y - pts[a].y);
    if (d > best) {
      best = d;
      at = i;
    }
  }
  if (best > tol) {
    keep[at] = true;
    simplify(pts, a, at, tol, keep);
    simplify(pts, at, b, tol, keep);
  }
}

}  // namespace

std::vector<std::vector<PixelPoint>> traceOutlines(const Mask& mask, double tolerance) {
  std::vector<std::vector<PixelPoint>> out;
  Grid<int> labels;
  int n = components(mask, labels);
  // Corners are numbered like pixels: corner (x, y) is the top-left corner of pixel (x, y), at
  // (x - 0.5, y - 0.5) in pixel-centre coordinates. Directions east, south, west, north (y down).
  const int dx[4] = {1, 0, -1, 0}, dy[4] = {0, 1, 0, -1};
  // The two pixels ahead of a corner in each direction: on the right and on the left of the walk.
  const int rx[4] = {0, -1, -1, 0}, ry[4] = {0, 0, -1, -1};
  const int lx[4] = {0, 0, -1, -1}, ly[4] = {-1, 0, 0, -1};
  for (int l = 1; l <= n; ++l) {
    auto in = [&](int x, int y) { return labels.inside(x, y) && labels.at(x, y) == l; };
    int sx = -1, sy = -1;
    for (int y = 0; y < labels.height && sx < 0; ++y)
      for (int x = 0; x < labels.width; ++x)
        if (in(x, y)) {
          sx = x;
          sy = y;
          break;
        }
    // Along the top edge of the top-left pixel, eastwards, the region on the right; at each corner
    // turn right where the pixel ahead-right is outside, left where the one ahead-left is inside
    // (4-connected: a diagonal neighbour is another region), else straight on.
    std::vector<PixelPoint> pts;
    int cx = sx, cy = sy, dir = 0;
    for (std::size_t guard = 0; guard < std::size_t(4) * (labels.width + 1) * (labels.height + 1); ++guard) {
      int next;
      if (!in(cx + rx[dir], cy + ry[dir]))
        next = (dir + 1) % 4;
      else if (in(cx + lx[dir], cy + ly[dir]))
        next = (dir + 3) % 4;
      else
        next = dir;
      if (next != dir || pts.empty()) pts.push_back({cx - 0.5, cy - 0.5});  // corners only
      dir = next;
      cx += dx[dir];
      cy += dy[dir];
      if (cx == sx && cy == sy) break;  // its other three pixels are outside: passed once
    }
    if (pts.size() < 3) continue;
    std::vector<bool> keep(pts.size() + 1, false);
    std::vector<PixelPoint> closed = pts;
    closed.push_back(pts.front());
    keep[0] = keep[pts.size()] = true;
    simplify(closed, 0, pts.size(), tolerance, keep);
    std::vector<PixelPoint> simple;
    for (std::size_t i = 0; i < pts.size(); ++i)
      if (keep[i]) simple.push_back(pts[i]);
    if (simple.size() >= 3) out.push_back(std::move(simple));
  }
  return out;
}

Vec3 toPatient(const CineImage& img, const PixelPoint& p) {
  return img.position + img.rowDir * (p.x * img.colSpacing) + img.colDir * (p.y * img.rowSpacing);
}

PixelPoint toPixel(const CineImage& img, const Vec3& p) {
  const Vec3 rel = p - img.position;
  return {dot(rel, img.rowDir) / img.colSpacing, dot(rel, img.colDir) / img.rowSpacing};
}

bool insidePolygon(const std::vector<PixelPoint>& poly, double x, double y) {
  bool in = false;
  for (std::size_t i = 0, j = poly.size() - 1; i < poly.size(); j = i++) {
    const PixelPoint& a = poly[i];
    const PixelPoint& b = poly[j];
    if ((a.y > y) != (b.y > y) && x < (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x) in = !in;
  }
  return in;
}

double polygonArea(const std::vector<PixelPoint>& poly) {
  double a = 0;
  for (std::size_t i = 0; i < poly.size(); ++i) {
    const PixelPoint& p = poly[i];
    const PixelPoint& q = poly[(i + 1) % poly.size()];
    a += p.x * q.y - q.x * p.y;
  }
  return std::abs(a) / 2;
}

}  // namespace atrium::cardiac
