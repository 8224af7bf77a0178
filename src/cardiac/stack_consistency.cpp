#include "cardiac/stack_consistency.h"

#include "cardiac/shapes.h"

namespace atrium::cardiac {
namespace {

Mask only(const Mask& labels, Label l) {
  Mask m(labels.width, labels.height, 0);
  for (std::size_t i = 0; i < m.data.size(); ++i) m.data[i] = labels.data[i] == l;
  return m;
}

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
  Mask pool = only(shapedLabels, kLvBlood);
  if (count(pool) == 0) return -1;
  std::size_t outline = 0, wall = 0;
  for (int y = 0; y < pool.height; ++y)
    for (int x = 0; x < pool.width; ++x) {
      if (pool.at(x, y)) continue;
      bool touches = false;
      for (int dy = -1; dy <= 1 && !touches; ++dy)
        for (int dx = -1; dx <= 1 && !touches; ++dx) touches = pool.inside(x + dx, y + dy) && pool.at(x + dx, y + dy);
      if (!touches) continue;
      ++outline;
      wall += rawLabels.at(x, y) == kLvMyocardium;
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

std::vector<std::optional<Point>> poolCentres(const Segmentation& seg, Label pool) {
  std::size_t phases = 0;
  for (const auto& slice : seg) phases = std::max(phases, slice.size());
  std::vector<std::optional<Point>> out(phases);
  for (std::size_t p = 0; p < phases; ++p) {
    std::vector<double> ys, xs;
    for (const auto& slice : seg) {
      if (p >= slice.size()) continue;
      const Region r = regionOf(labelGrid(slice[p]), pool);
      if (r.area > 0) ys.push_back(r.centre.y), xs.push_back(r.centre.x);
    }
    if (!ys.empty()) out[p] = Point{median(xs), median(ys)};
  }
  return out;
}

int componentCount(const Mask& labels, Label label) {
  Grid<int> comp;
  return components(only(labels, label), comp);
}

std::vector<std::pair<std::size_t, std::size_t>> rvOnNeighboursLv(const Segmentation& seg) {
  std::vector<std::pair<std::size_t, std::size_t>> found;
  for (std::size_t s = 0; s < seg.size(); ++s)
    for (std::size_t p = 0; p < seg[s].size(); ++p) {
      const Mask& here = seg[s][p];
      const std::size_t rv = countOf(here, kRvBlood);
      if (rv == 0 || countOf(here, kLvBlood) > 0) continue;
      Mask lvBeside(here.width, here.height, 0);
      bool any = false;
      for (std::size_t n : {s - 1, s + 1}) {  // s - 1 wraps past the first slice: not < seg.size()
        if (n >= seg.size() || p >= seg[n].size()) continue;
        const Mask& other = seg[n][p];
        if (other.width != here.width || other.height != here.height) continue;
        for (std::size_t i = 0; i < other.data.size(); ++i)
          if (other.data[i] == kLvBlood) lvBeside.data[i] = 1, any = true;
      }
      if (!any) continue;
      std::size_t onLv = 0;
      for (std::size_t i = 0; i < here.data.size(); ++i) onLv += here.data[i] == kRvBlood && lvBeside.data[i];
      if (2 * onLv > rv) found.emplace_back(s, p);
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
