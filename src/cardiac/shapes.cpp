#include "cardiac/shapes.h"

#include <algorithm>
#include <cmath>

namespace atrium::cardiac {

namespace {
constexpr double kPi = 3.14159265358979323846;
}  // namespace

Region regionOf(const Grid<int>& labels, int label) {
  Region r;
  r.mask = Mask(labels.width, labels.height, 0);
  double sx = 0, sy = 0;
  for (int y = 0; y < labels.height; ++y)
    for (int x = 0; x < labels.width; ++x)
      if (labels.at(x, y) == label) {
        r.mask.at(x, y) = 1;
        sx += x;
        sy += y;
        r.area += 1;
      }
  if (r.area > 0) r.centre = {sx / r.area, sy / r.area};
  return r;
}

double roundness(const Region& r) {
  double perimeter = 0;
  const Mask& m = r.mask;
  for (int y = 0; y < m.height; ++y)
    for (int x = 0; x < m.width; ++x)
      if (m.at(x, y) && (!m.inside(x + 1, y) || !m.at(x + 1, y) || !m.inside(x - 1, y) || !m.at(x - 1, y) ||
                         !m.inside(x, y + 1) || !m.at(x, y + 1) || !m.inside(x, y - 1) || !m.at(x, y - 1)))
        perimeter += 1;
  return perimeter > 0 ? std::min(1.0, 4 * kPi * r.area / (perimeter * perimeter) * 1.27) : 0;
}

std::vector<double> circularMedian(const std::vector<double>& v, int half) {
  const int n = static_cast<int>(v.size());
  std::vector<double> out(n), window;
  for (int i = 0; i < n; ++i) {
    window.clear();
    for (int k = -half; k <= half; ++k) window.push_back(v[((i + k) % n + n) % n]);
    std::nth_element(window.begin(), window.begin() + half, window.end());
    out[i] = window[half];
  }
  return out;
}

// The pixels within radii[k] of the centre along the ray at angle 2πk/n (linear between rays);
// only the box the longest ray reaches is visited.
Mask starShape(int width, int height, Point c, const std::vector<double>& radii) {
  Mask m(width, height, 0);
  const int n = static_cast<int>(radii.size());
  double reach = *std::max_element(radii.begin(), radii.end()) + 1;
  int x0 = std::max(0, int(c.x - reach)), x1 = std::min(width - 1, int(c.x + reach));
  int y0 = std::max(0, int(c.y - reach)), y1 = std::min(height - 1, int(c.y + reach));
  for (int y = y0; y <= y1; ++y)
    for (int x = x0; x <= x1; ++x) {
      double ang = std::atan2(y - c.y, x - c.x);
      if (ang < 0) ang += 2 * kPi;
      double f = ang / (2 * kPi) * n;
      int r0 = int(f) % n, r1 = (r0 + 1) % n;
      double w = f - int(f);
      m.at(x, y) = std::hypot(x - c.x, y - c.y) <= radii[r0] * (1 - w) + radii[r1] * w;
    }
  return m;
}

// Pixels within r (chessboard distance) of the mask: a breadth-first search, linear in the image
// size, where a disk dilation of that radius would cost r² per pixel.
Mask withinDistance(const Mask& m, int r) {
  Grid<int> dist(m.width, m.height, -1);
  std::vector<std::pair<int, int>> frontier;
  for (int y = 0; y < m.height; ++y)
    for (int x = 0; x < m.width; ++x)
      if (m.at(x, y)) {
        dist.at(x, y) = 0;
        frontier.emplace_back(x, y);
      }
  for (int d = 1; d <= r && !frontier.empty(); ++d) {
    std::vector<std::pair<int, int>> next;
    for (auto [x, y] : frontier)
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx)
          if (dist.inside(x + dx, y + dy) && dist.at(x + dx, y + dy) < 0) {
            dist.at(x + dx, y + dy) = d;
            next.emplace_back(x + dx, y + dy);
          }
    frontier.swap(next);
  }
  Mask out(m.width, m.height, 0);
  for (std::size_t i = 0; i < out.data.size(); ++i) out.data[i] = dist.data[i] >= 0;
  return out;
}

Mask outerRing(const Mask& m) {
  Mask ring = withinDistance(m, 1);
  for (std::size_t i = 0; i < ring.data.size(); ++i) ring.data[i] = ring.data[i] && !m.data[i];
  return ring;
}

Mask convexIfNotched(const Mask& m) {
  std::vector<std::pair<int, int>> pts;
  for (int y = 0; y < m.height; ++y)
    for (int x = 0; x < m.width; ++x)
      if (m.at(x, y)) pts.emplace_back(x, y);
  if (pts.size() < 10) return m;
  std::sort(pts.begin(), pts.end());
  auto crossZ = [](std::pair<int, int> o, std::pair<int, int> a, std::pair<int, int> b) {
    return double(a.first - o.first) * (b.second - o.second) - double(a.second - o.second) * (b.first - o.first);
  };
  std::vector<std::pair<int, int>> hull(2 * pts.size());
  std::size_t k = 0;
  for (std::size_t i = 0; i < pts.size(); ++i) {  // Andrew's monotone chain
    while (k >= 2 && crossZ(hull[k - 2], hull[k - 1], pts[i]) <= 0) --k;
    hull[k++] = pts[i];
  }
  for (std::size_t i = pts.size() - 1, t = k + 1; i > 0; --i) {
    while (k >= t && crossZ(hull[k - 2], hull[k - 1], pts[i - 1]) <= 0) --k;
    hull[k++] = pts[i - 1];
  }
  hull.resize(k - 1);
  // Scanlines: a convex polygon crosses each row in one interval.
  Mask filled = m;
  int minY = m.height, maxY = 0;
  for (auto [x, y] : hull) {
    minY = std::min(minY, y);
    maxY = std::max(maxY, y);
  }
  for (int y = minY; y <= maxY; ++y) {
    double lo = 1e9, hi = -1e9;
    for (std::size_t i = 0; i < hull.size(); ++i) {
      auto [x0, y0] = hull[i];
      auto [x1, y1] = hull[(i + 1) % hull.size()];
      if ((y < std::min(y0, y1)) || (y > std::max(y0, y1))) continue;
      if (y0 == y1) {
        lo = std::min({lo, double(x0), double(x1)});
        hi = std::max({hi, double(x0), double(x1)});
      } else {
        double x = x0 + double(y - y0) * (x1 - x0) / double(y1 - y0);
        lo = std::min(lo, x);
        hi = std::max(hi, x);
      }
    }
    for (int x = int(std::ceil(lo - 1e-9)); x <= int(std::floor(hi + 1e-9)); ++x)
      if (filled.inside(x, y)) filled.at(x, y) = 1;
  }
  return double(count(filled)) <= 1.15 * double(count(m)) ? filled : m;
}

Mask maskOf(const Mask& labels, Label label) {
  Mask m(labels.width, labels.height, 0);
  for (std::size_t i = 0; i < m.data.size(); ++i) m.data[i] = labels.data[i] == label;
  return m;
}

void keepLargestComponent(Mask& labels, Label label) {
  const Mask m = maskOf(labels, label);
  Region keep = largestRegion(m);
  for (std::size_t i = 0; i < m.data.size(); ++i)
    if (m.data[i] && !keep.mask.data[i]) labels.data[i] = kBackground;
}

void keepComponentNear(Mask& labels, Label label, Point near, double sigma) {
  const Mask m = maskOf(labels, label);
  Grid<int> comp;
  const int n = components(m, comp);
  if (n < 2) return;
  std::vector<double> size(n + 1, 0), sy(n + 1, 0), sx(n + 1, 0);
  for (int y = 0; y < comp.height; ++y)
    for (int x = 0; x < comp.width; ++x)
      if (int c = comp.at(x, y)) size[c] += 1, sy[c] += y, sx[c] += x;
  int best = 1;
  double bestScore = -1;
  for (int c = 1; c <= n; ++c) {
    const double dy = sy[c] / size[c] - near.y, dx = sx[c] / size[c] - near.x;
    const double score = size[c] * std::exp(-(dy * dy + dx * dx) / (sigma * sigma));
    if (score > bestScore) bestScore = score, best = c;
  }
  for (std::size_t i = 0; i < m.data.size(); ++i)
    if (m.data[i] && comp.data[i] != best) labels.data[i] = kBackground;
}

Region largestRegion(const Mask& m) {
  Grid<int> comp;
  int n = components(m, comp);
  if (n == 0) return {};
  // Sizes in one pass; only the winner is built as a region.
  std::vector<std::size_t> size(n + 1, 0);
  for (int l : comp.data) ++size[l];
  size[0] = 0;
  return regionOf(comp, int(std::max_element(size.begin(), size.end()) - size.begin()));
}

}  // namespace atrium::cardiac
