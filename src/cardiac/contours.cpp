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
  // Moore neighbourhood, clockwise from west.
  const int dx[8] = {-1, -1, 0, 1, 1, 1, 0, -1}, dy[8] = {0, -1, -1, -1, 0, 1, 1, 1};
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
    std::vector<PixelPoint> pts{{double(sx), double(sy)}};
    int cx = sx, cy = sy, dir = 0;  // came from the west (the start is the top-left pixel)
    for (std::size_t guard = 0; guard < std::size_t(4) * labels.width * labels.height; ++guard) {
      bool moved = false;
      for (int k = 0; k < 8; ++k) {
        int d = (dir + k) % 8;
        int nx = cx + dx[d], ny = cy + dy[d];
        if (in(nx, ny)) {
          cx = nx;
          cy = ny;
          dir = (d + 6) % 8;  // back-track: start the next search beside where we came from
          moved = true;
          break;
        }
      }
      if (!moved || (cx == sx && cy == sy)) break;
      pts.push_back({double(cx), double(cy)});
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

}  // namespace atrium::cardiac
