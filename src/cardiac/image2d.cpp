#include "cardiac/image2d.h"

#include <algorithm>
#include <cmath>
#include <deque>

namespace atrium::cardiac {

namespace {

// Breadth-first from the queued pixels to each 4-neighbour that `enter` accepts (and marks, so that
// it is entered once).
template <typename Enter>
void flood4(std::deque<std::pair<int, int>>& queue, int width, int height, Enter enter) {
  const int dx[] = {1, -1, 0, 0}, dy[] = {0, 0, 1, -1};
  while (!queue.empty()) {
    auto [cx, cy] = queue.front();
    queue.pop_front();
    for (int k = 0; k < 4; ++k) {
      int nx = cx + dx[k], ny = cy + dy[k];
      if (nx >= 0 && ny >= 0 && nx < width && ny < height && enter(nx, ny)) queue.emplace_back(nx, ny);
    }
  }
}

}  // namespace

Box boundingBox(const Mask& m, int margin) {
  Box b{m.width, m.height, -1, -1};
  for (int y = 0; y < m.height; ++y)
    for (int x = 0; x < m.width; ++x)
      if (m.at(x, y)) {
        b.x0 = std::min(b.x0, x);
        b.x1 = std::max(b.x1, x);
        b.y0 = std::min(b.y0, y);
        b.y1 = std::max(b.y1, y);
      }
  if (b.empty()) return Box{};
  return {std::max(0, b.x0 - margin), std::max(0, b.y0 - margin), std::min(m.width - 1, b.x1 + margin),
          std::min(m.height - 1, b.y1 + margin)};
}

int components(const Mask& m, Grid<int>& labels) {
  labels = Grid<int>(m.width, m.height, 0);
  int n = 0;
  std::deque<std::pair<int, int>> queue;
  auto enter = [&](int x, int y) {
    if (!m.at(x, y) || labels.at(x, y)) return false;
    labels.at(x, y) = n;
    return true;
  };
  for (int y = 0; y < m.height; ++y)
    for (int x = 0; x < m.width; ++x) {
      if (!m.at(x, y) || labels.at(x, y)) continue;
      ++n;
      enter(x, y);
      queue.emplace_back(x, y);
      flood4(queue, m.width, m.height, enter);
    }
  return n;
}

void fillHoles(Mask& m) {
  // Holes lie within the mask's box; the box grown by a pixel has a background frame, so the flood
  // from that frame reaches all the background that the whole image's border would.
  Box b = boundingBox(m, 1);
  if (b.empty()) return;
  Mask outside(m.width, m.height, 0);
  std::deque<std::pair<int, int>> queue;
  auto enter = [&](int x, int y) {
    if (x < b.x0 || x > b.x1 || y < b.y0 || y > b.y1 || m.at(x, y) || outside.at(x, y)) return false;
    outside.at(x, y) = 1;
    return true;
  };
  auto seed = [&](int x, int y) {
    if (enter(x, y)) queue.emplace_back(x, y);
  };
  for (int x = b.x0; x <= b.x1; ++x) {
    seed(x, b.y0);
    seed(x, b.y1);
  }
  for (int y = b.y0; y <= b.y1; ++y) {
    seed(b.x0, y);
    seed(b.x1, y);
  }
  flood4(queue, m.width, m.height, enter);
  for (int y = b.y0; y <= b.y1; ++y)
    for (int x = b.x0; x <= b.x1; ++x)
      if (!outside.at(x, y)) m.at(x, y) = 1;
}

namespace {
// Dilation (grow) or erosion with a disk. Only the box around the set pixels can change (the
// masks are small against the image): the box itself for erosion, r beyond it for dilation.
Mask morph(const Mask& m, int r, bool grow) {
  Mask out(m.width, m.height, 0);
  auto [x0, y0, x1, y1] = boundingBox(m, grow ? r : 0);
  std::vector<std::pair<int, int>> disk;
  for (int dy = -r; dy <= r; ++dy)
    for (int dx = -r; dx <= r; ++dx)
      if (dx * dx + dy * dy <= r * r) disk.emplace_back(dx, dy);
  for (int y = y0; y <= y1; ++y)
    for (int x = x0; x <= x1; ++x) {
      // Dilation: set if any disk pixel is; erosion: set unless one is not.
      bool v = !grow;
      for (auto [dx, dy] : disk) {
        int nx = x + dx, ny = y + dy;
        if ((m.inside(nx, ny) && m.at(nx, ny)) == grow) {
          v = grow;
          break;
        }
      }
      out.at(x, y) = v;
    }
  return out;
}
}  // namespace

Mask dilate(const Mask& m, int r) { return r <= 0 ? m : morph(m, r, true); }
Mask erode(const Mask& m, int r) { return r <= 0 ? m : morph(m, r, false); }

Image blur(const Image& img, int r) {
  Image cur = img;
  if (r <= 0) return cur;
  // Box means from running sums (the window clipped at the edges), rows then columns.
  const int w = img.width, h = img.height;
  std::vector<double> sum(std::size_t(std::max(w, h)) + 1);
  Image tmp(w, h);
  for (int pass = 0; pass < 3; ++pass) {
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) sum[x + 1] = sum[x] + cur.at(x, y);
      for (int x = 0; x < w; ++x) {
        int a = std::max(0, x - r), b = std::min(w - 1, x + r);
        tmp.at(x, y) = static_cast<float>((sum[b + 1] - sum[a]) / (b - a + 1));
      }
    }
    for (int x = 0; x < w; ++x) {
      for (int y = 0; y < h; ++y) sum[y + 1] = sum[y] + tmp.at(x, y);
      for (int y = 0; y < h; ++y) {
        int a = std::max(0, y - r), b = std::min(h - 1, y + r);
        cur.at(x, y) = static_cast<float>((sum[b + 1] - sum[a]) / (b - a + 1));
      }
    }
  }
  return cur;
}

float otsu(const std::vector<float>& v) {
  if (v.empty()) return 0;
  auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  float a = *lo, b = *hi;
  if (b <= a) return a;
  constexpr int kBins = 256;
  std::vector<double> hist(kBins, 0);
  for (float x : v) hist[std::min(kBins - 1, int((x - a) / (b - a) * kBins))] += 1;
  double total = double(v.size()), sum = 0;
  for (int i = 0; i < kBins; ++i) sum += i * hist[i];
  double wB = 0, sumB = 0, best = -1;
  int bestT = 0;
  for (int t = 0; t < kBins; ++t) {
    wB += hist[t];
    if (wB == 0) continue;
    double wF = total - wB;
    if (wF == 0) break;
    sumB += t * hist[t];
    double mB = sumB / wB, mF = (sum - sumB) / wF;
    double between = wB * wF * (mB - mF) * (mB - mF);
    if (between > best) {
      best = between;
      bestT = t;
    }
  }
  return a + (b - a) * (bestT + 1) / kBins;
}

std::size_t count(const Mask& m) {
  std::size_t n = 0;
  for (auto v : m.data) n += v != 0;
  return n;
}

}  // namespace atrium::cardiac
