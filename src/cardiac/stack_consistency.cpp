#include "cardiac/stack_consistency.h"

#include <cmath>

#include "cardiac/shapes.h"

namespace atrium::cardiac {
namespace {

Grid<int> labelGrid(const Mask& labels) {
  Grid<int> g(labels.width, labels.height, 0);
  for (std::size_t i = 0; i < g.data.size(); ++i) g.data[i] = labels.data[i];
  return g;
}

std::size_t countOf(const Mask& labels, Label l) {
  std::size_t n = 0;
  for (auto v : labels.data) n += v == l;
  return n;
}

}  // namespace

double wallCoverage(const Mask& rawLabels, const Mask& shapedLabels) {
  const Mask pool = maskOf(shapedLabels, kLvBlood);
  if (count(pool) == 0) return -1;
  const Mask ring = outerRing(pool);
  std::size_t outline = 0, wall = 0;
  for (std::size_t i = 0; i < ring.data.size(); ++i)
    if (ring.data[i]) {
      ++outline;
      wall += rawLabels.data[i] == kLvMyocardium;
    }
  return outline ? double(wall) / double(outline) : -1;
}

std::vector<std::vector<double>> wallCoverages(const Segmentation& raw, const Segmentation& shaped) {
  std::vector<std::vector<double>> out(raw.size());
  for (std::size_t s = 0; s < raw.size() && s < shaped.size(); ++s)
    for (std::size_t p = 0; p < raw[s].size() && p < shaped[s].size(); ++p)
      out[s].push_back(wallCoverage(raw[s][p], shaped[s][p]));
  return out;
}

std::vector<Point> sliceOffsets(const CineStack& stack) {
  std::vector<Point> out;
  if (stack.slices.empty() || stack.slices[0].phases.empty()) return out;
  const CineImage& first = stack.slices[0].phases[0];
  for (const auto& slice : stack.slices) {
    if (slice.phases.empty()) {
      out.push_back({});
      continue;
    }
    const Vec3 d = slice.phases[0].position - first.position;
    out.push_back({dot(d, first.rowDir) / first.colSpacing, dot(d, first.colDir) / first.rowSpacing});
  }
  return out;
}

std::vector<std::optional<Point>> poolCentres(const Segmentation& seg, Label pool, const std::vector<Point>& offsets) {
  std::size_t phases = 0;
  for (const auto& slice : seg) phases = std::max(phases, slice.size());
  std::vector<std::optional<Point>> out(phases);
  for (std::size_t p = 0; p < phases; ++p) {
    std::vector<double> ys, xs;
    for (std::size_t s = 0; s < seg.size(); ++s) {
      if (p >= seg[s].size()) continue;
      const Region r = regionOf(labelGrid(seg[s][p]), pool);
      const Point o = s < offsets.size() ? offsets[s] : Point{};
      if (r.area > 0) ys.push_back(r.centre.y + o.y), xs.push_back(r.centre.x + o.x);
    }
    if (!ys.empty()) out[p] = Point{median(xs), median(ys)};
  }
  return out;
}

int componentCount(const Mask& labels, Label label) {
  Grid<int> comp;
  return components(maskOf(labels, label), comp);
}

std::vector<std::pair<std::size_t, std::size_t>> rvOnNeighboursLv(const Segmentation& seg,
                                                                  const std::vector<Point>& offsets) {
  auto offset = [&](std::size_t s) { return s < offsets.size() ? offsets[s] : Point{}; };
  std::vector<std::pair<std::size_t, std::size_t>> found;
  for (std::size_t s = 0; s < seg.size(); ++s)
    for (std::size_t p = 0; p < seg[s].size(); ++p) {
      const Mask& here = seg[s][p];
      const std::size_t rv = countOf(here, kRvBlood);
      if (rv == 0) continue;
      Mask lvBeside(here.width, here.height, 0);
      bool any = false;
      for (std::size_t n : {s - 1, s + 1}) {  // s - 1 wraps past the first slice: not < seg.size()
        if (n >= seg.size() || p >= seg[n].size()) continue;
        const Mask& other = seg[n][p];
        // Pixel (x, y) of the neighbour is (x + dx, y + dy) here.
        const int dx = int(std::lround(offset(n).x - offset(s).x)), dy = int(std::lround(offset(n).y - offset(s).y));
        for (int y = 0; y < other.height; ++y)
          for (int x = 0; x < other.width; ++x)
            if (other.at(x, y) == kLvBlood && here.inside(x + dx, y + dy)) lvBeside.at(x + dx, y + dy) = 1, any = true;
      }
      if (!any) continue;
      std::size_t onLv = 0;
      for (std::size_t i = 0; i < here.data.size(); ++i) onLv += here.data[i] == kRvBlood && lvBeside.data[i];
      // Most of the RV on their pools, and more of it there than the LV pool the network drew here.
      if (2 * onLv > rv && countOf(here, kLvBlood) < onLv) found.emplace_back(s, p);
    }
  return found;
}

bool baseIsLast(const Segmentation& seg) {
  const std::size_t third = std::max<std::size_t>(1, seg.size() / 3);
  std::size_t first = 0, last = 0;
  for (std::size_t k = 0; k < third && k < seg.size(); ++k) {
    for (const auto& m : seg[k]) first += countOf(m, kLvBlood) + countOf(m, kRvBlood);
    for (const auto& m : seg[seg.size() - 1 - k]) last += countOf(m, kLvBlood) + countOf(m, kRvBlood);
  }
  return last > first;
}

std::size_t dropAtrialBase(Segmentation& seg, const std::vector<std::vector<double>>& coverage, std::size_t maxSlices,
                           double threshold) {
  if (seg.size() < 3) return 0;  // too few slices to tell a base from an apex
  const bool fromLast = baseIsLast(seg);
  std::size_t dropped = 0;
  const std::size_t phases = seg[0].size();
  for (std::size_t p = 0; p < phases; ++p) {
    std::size_t removed = 0;
    for (std::size_t k = 0; k < seg.size(); ++k) {
      const std::size_t s = fromLast ? seg.size() - 1 - k : k;
      if (p >= seg[s].size()) break;
      Mask& labels = seg[s][p];
      if (countOf(labels, kLvBlood) == 0) continue;  // above the heart, or the RV's outflow only
      const double c = s < coverage.size() && p < coverage[s].size() ? coverage[s][p] : -1;
      if (c < 0 || c >= threshold || removed == maxSlices) break;
      for (auto& v : labels.data)
        if (v == kLvBlood || v == kLvMyocardium) v = kBackground;
      ++removed;
      ++dropped;
    }
  }
  return dropped;
}

}  // namespace atrium::cardiac
