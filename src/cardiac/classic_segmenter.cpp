#include <algorithm>
#include <cmath>
#include <numeric>

#include "cardiac/right_ventricle.h"
#include "cardiac/segmenter.h"
#include "cardiac/shapes.h"
#include "cardiac/temporal_consistency.h"

namespace atrium::cardiac {

CineData loadCineData(const CineStack& stack) {
  CineData d;
  PixelReader reader;
  for (const auto& s : stack.slices) {
    std::vector<Image> phases;
    for (const auto& p : s.phases) {
      Image img(p.columns, p.rows);
      img.data = reader.read(p);
      phases.push_back(std::move(img));
    }
    // Missing phases: the slice's last one stands in.
    while (static_cast<int>(phases.size()) < stack.phases) phases.push_back(phases.back());
    d.images.push_back(std::move(phases));
  }
  return d;
}

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr float kOffImage = -1e30f;

// Intensities scaled so that the 1st..99th percentiles of the stack's middle slice map to 0..1.
struct Normalizer {
  float lo = 0, hi = 1;
  explicit Normalizer(const CineData& d) {
    std::vector<float> v;
    const auto& mid = d.images[d.images.size() / 2];
    for (const auto& img : mid)
      for (std::size_t i = 0; i < img.data.size(); i += 3) v.push_back(img.data[i]);
    std::sort(v.begin(), v.end());
    lo = v[v.size() / 100];
    hi = v[v.size() * 99 / 100];
    if (hi <= lo) hi = lo + 1;
  }
  Image operator()(const Image& img) const {
    Image out = img;
    for (auto& x : out.data) x = (x - lo) / (hi - lo);
    return out;
  }
};

// Where the heart is: the centre of the strongest motion (temporal standard deviation).
Point heartCentre(const CineData& d, const Normalizer& norm, double pixelMm) {
  const auto& first = d.images[0][0];
  Image sd(first.width, first.height, 0);
  std::size_t from = d.images.size() / 4, to = std::max(from + 1, d.images.size() * 3 / 4);
  for (std::size_t s = from; s < to; ++s) {
    Image mean(first.width, first.height, 0), sq(first.width, first.height, 0);
    for (const auto& raw : d.images[s]) {
      Image img = norm(raw);
      for (std::size_t i = 0; i < img.data.size(); ++i) {
        mean.data[i] += img.data[i];
        sq.data[i] += img.data[i] * img.data[i];
      }
    }
    double n = double(d.images[s].size());
    for (std::size_t i = 0; i < sd.data.size(); ++i) {
      double m = mean.data[i] / n;
      sd.data[i] += static_cast<float>(std::sqrt(std::max(0.0, sq.data[i] / n - m * m)));
    }
  }
  Image smooth = blur(sd, std::max(2, int(10 / pixelMm)));
  Point best;
  float bestV = -1;
  // The heart is not at the edge of a cardiac field of view.
  for (int y = first.height / 5; y < first.height * 4 / 5; ++y)
    for (int x = first.width / 5; x < first.width * 4 / 5; ++x)
      if (smooth.at(x, y) > bestV) {
        bestV = smooth.at(x, y);
        best = {double(x), double(y)};
      }
  return best;
}

// Rays from the LV pool's centre, along which its edge and the wall are found; endo[r]: the
// distance from the centre to the pool's edge on ray r.
struct Rays {
  static constexpr int kCount = 90;
  const Image& img;
  const Image& smooth;
  Point centre;
  std::vector<double> endo;

  double angle(int r) const { return 2 * kPi * r / kCount; }
  // The value of an image at dist pixels along the ray at angle a; kOffImage outside the image
  // (normalised values go below 0 in air and lung).
  float onRay(const Image& im, double a, double dist) const {
    int x = int(std::lround(centre.x + std::cos(a) * dist)), y = int(std::lround(centre.y + std::sin(a) * dist));
    return im.inside(x, y) ? im.at(x, y) : kOffImage;
  }
  float sample(double a, double dist) const { return onRay(smooth, a, dist); }
  // Distance from the centre to the blood pool's edge along each ray.
  void measureEndo(const Mask& lv) {
    for (int r = 0; r < kCount; ++r) {
      double a = angle(r), d = 0;
      while (true) {
        int x = int(std::lround(centre.x + std::cos(a) * d)), y = int(std::lround(centre.y + std::sin(a) * d));
        if (!lv.inside(x, y) || !lv.at(x, y)) break;
        d += 0.5;
      }
      endo[r] = d;
    }
  }
};

class ClassicSegmenter : public ISegmenter {
 public:
  const char* name() const override { return "classic-intensity-v1"; }

  Segmentation segment(const CineStack& stack, const CineData& data) override {
    const auto& ref = stack.slices[0].phases[0];
    mm_ = (ref.rowSpacing + ref.colSpacing) / 2;
    Normalizer norm(data);
    Point heart = lvSeed(data, norm, heartCentre(data, norm, mm_));
    int slices = static_cast<int>(data.images.size()), phases = stack.phases;
    Segmentation out(slices, std::vector<Mask>(phases));
    // From the middle slice outwards, each slice starting from its neighbour's LV centre.
    int mid = slices / 2;
    std::vector<Point> centres(slices, heart);
    std::vector<int> order;
    for (int s = mid; s < slices; ++s) order.push_back(s);
    for (int s = mid - 1; s >= 0; --s) order.push_back(s);
    for (int s : order) {
      Point start = s == mid ? heart : centres[s > mid ? s - 1 : s + 1];
      Point c = start;
      bool any = false;
      for (int p = 0; p < phases; ++p) {
        Image img = norm(data.images[s][p]);
        Point found;
        out[s][p] = segmentImage(img, c, found);
        if (count(out[s][p])) {
          c = found;
          if (!any) centres[s] = found;
          any = true;
        }
      }
    }
    // The LV's pool made consistent over the cycle, then along the stack (the base moving through
    // the basal slices in systole brings in the outflow tract and the atrium).
    auto guided = [&](int s, int p, const Mask& guide) { return segmentGuided(norm(data.images[s][p]), guide); };
    enforceTemporalConsistency(out, guided);
    enforceSliceConsistency(out, guided);
    // The RV once the LV is settled: first on its own in every image, then again within the side
    // the stack agrees on where an image found it elsewhere (its longest contact with the wall
    // can be fat or the liver's bright neighbour). On the unsmoothed image: smoothing erased the
    // thin dark line (the RV's free wall) between its blood and the fat outside.
    for (int s = 0; s < slices; ++s)
      for (int p = 0; p < phases; ++p) labelRightVentricle(norm(data.images[s][p]), out[s][p], mm_);
    if (auto direction = rvDirection(out))
      for (int s = 0; s < slices; ++s)
        for (int p = 0; p < phases; ++p)
          if (rvOffSide(out[s][p], *direction)) labelRightVentricle(norm(data.images[s][p]), out[s][p], mm_, direction);
    cleanRvOverCycle(out, px(5));
    // One connected component per structure and image: what the clean-ups cut off goes.
    for (auto& phases : out)
      for (auto& labels : phases)
        for (Label l : {kLvMyocardium, kRvBlood}) keepLargestComponent(labels, l);
    return out;
  }

 private:
  double mm_ = 1;

  int px(double millimetres) const { return std::max(1, int(std::lround(millimetres / mm_))); }

  // The bright regions of an image around a point, thresholded by Otsu within radiusMm.
  struct Bright {
    Grid<int> comp;
    std::vector<Region> regions;
    float threshold = 0;
  };
  // The threshold comes from radiusMm around the point; regions are kept out to twice that (the
  // RV reaches further from the LV centre than the LV does).
  Bright brightRegions(const Image& smooth, Point around, double radiusMm, double extentMm = 0) const {
    Bright b;
    int roi = px(radiusMm), extent = px(extentMm > 0 ? extentMm : radiusMm);
    std::vector<float> values;
    for (int y = int(around.y) - roi; y <= int(around.y) + roi; ++y)
      for (int x = int(around.x) - roi; x <= int(around.x) + roi; ++x)
        if (smooth.inside(x, y) && std::hypot(x - around.x, y - around.y) <= roi) values.push_back(smooth.at(x, y));
    b.threshold = otsu(values);
    Mask bright(smooth.width, smooth.height, 0);
    for (int y = 0; y < smooth.height; ++y)
      for (int x = 0; x < smooth.width; ++x)
        bright.at(x, y) = std::hypot(x - around.x, y - around.y) <= extent && smooth.at(x, y) > b.threshold;
    // Thin bridges between the blood pools and their neighbours are cut by a small opening.
    bright = dilate(erode(bright, 1), 1);
    int n = components(bright, b.comp);
    b.regions.resize(n + 1);
    for (int l = 1; l <= n; ++l) b.regions[l] = regionOf(b.comp, l);
    return b;
  }

  // The LV on the middle slice: over all phases, the round bright region of plausible size whose
  // area changes most over the cycle (the blood pool contracts; fat and vessels do not).
  Point lvSeed(const CineData& d, const Normalizer& norm, Point heart) const {
    const auto& slice = d.images[d.images.size() / 2];
    struct Candidate {
      Point centre;
      double minArea = 1e18, maxArea = 0, roundSum = 0;
      int seen = 0;
    };
    std::vector<Candidate> cands;
    // Candidates anywhere in the central part of the field of view (a cardiac FOV is centred on the
    // heart; the motion centre only breaks ties, bowel and vessels move too).
    Point centre{slice[0].width / 2.0, slice[0].height / 2.0};
    double radius = 0.4 * std::min(slice[0].width, slice[0].height) * mm_;
    for (const auto& raw : slice) {
      Image smooth = blur(norm(raw), 1);
      Bright b = brightRegions(smooth, centre, radius);
      for (std::size_t l = 1; l < b.regions.size(); ++l) {
        const Region& r = b.regions[l];
        double areaMm2 = r.area * mm_ * mm_;
        if (areaMm2 < 150 || areaMm2 > 8000) continue;
        double round = roundness(r);
        if (round < 0.5) continue;
        Candidate* c = nullptr;
        for (auto& x : cands)
          if (std::hypot(x.centre.x - r.centre.x, x.centre.y - r.centre.y) * mm_ < 12) c = &x;
        if (!c) {
          cands.push_back({r.centre});
          c = &cands.back();
        }
        c->minArea = std::min(c->minArea, areaMm2);
        c->maxArea = std::max(c->maxArea, areaMm2);
        c->roundSum += round;
        ++c->seen;
      }
    }
    double best = -1;
    Point seed = heart;
    for (const auto& c : cands) {
      if (c.seen < int(slice.size()) / 2) continue;  // present through most of the cycle
      double change = (c.maxArea - c.minArea) / c.maxArea;
      double round = c.roundSum / c.seen;  // the LV is the round one; the RV, a crescent, also contracts
      double fromHeart = std::hypot(c.centre.x - heart.x, c.centre.y - heart.y) * mm_;
      double score = std::pow(round, 4) * (0.2 + change) * std::sqrt(c.maxArea) * (1.0 + std::exp(-fromHeart / 30.0));
      if (score > best) {
        best = score;
        seed = c.centre;
      }
    }
    return seed;
  }

  // The blood pool often touches a neighbour (the RV through a thin septum in partial volume, the
  // atrium or outflow tract at the base) through a narrow bridge: erode until the part under the
  // seed stands alone, then grow it back inside the original region (reconstruction), so the
  // bridge and what lies beyond it are left out.
  Mask separate(const Mask& full, Point seed) const {
    // Work inside the region's bounding box (labelling the whole image's components at every
    // erosion step would dominate the run time).
    Box box = boundingBox(full, px(4) + 2);
    if (box.empty()) return full;
    auto [x0, y0, x1, y1] = box;
    Mask region(x1 - x0 + 1, y1 - y0 + 1, 0);
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) region.at(x - x0, y - y0) = full.at(x, y);
    Mask cut = separateIn(region, {seed.x - x0, seed.y - y0});
    Mask out(full.width, full.height, 0);
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) out.at(x, y) = cut.at(x - x0, y - y0);
    return out;
  }

  Mask separateIn(const Mask& region, Point seed) const {
    double area = double(count(region));
    for (int k = 1; k <= px(4); ++k) {
      Mask core = erode(region, k);
      Grid<int> comp;
      int n = components(core, comp);
      if (n < 2) continue;
      // The core component nearest the seed.
      int pick = 0;
      double bestD = 1e18;
      std::vector<double> sx(n + 1, 0), sy(n + 1, 0), cnt(n + 1, 0);
      for (int y = 0; y < core.height; ++y)
        for (int x = 0; x < core.width; ++x)
          if (int l = comp.at(x, y)) {
            sx[l] += x;
            sy[l] += y;
            cnt[l] += 1;
          }
      for (int l = 1; l <= n; ++l) {
        double d = std::hypot(sx[l] / cnt[l] - seed.x, sy[l] / cnt[l] - seed.y);
        if (d < bestD) {
          bestD = d;
          pick = l;
        }
      }
      Mask grown(core.width, core.height, 0);
      for (std::size_t i = 0; i < grown.data.size(); ++i) grown.data[i] = comp.data[i] == pick;
      for (int step = 0; step < k + 1; ++step) {
        Mask d = dilate(grown, 1);
        for (std::size_t i = 0; i < d.data.size(); ++i) d.data[i] = d.data[i] && region.data[i];
        grown = d;
      }
      // Only a real split counts: the part kept is a substantial, smaller share of the region.
      double kept = double(count(grown));
      if (kept > 0.25 * area && kept < 0.9 * area) return grown;
    }
    return region;
  }

  // One image: labels, and the LV centre found (for the next image).
  Mask segmentImage(const Image& img, Point seed, Point& lvCentre) {
    Mask labels(img.width, img.height, kBackground);
    Image smooth = blur(img, 1);
    // The threshold from a wide neighbourhood first; where the blood pool is dimmer than that
    // (slow flow at end-systole), from closer around the seed.
    for (double radius : {50.0, 35.0, 25.0}) {
      Mask m = segmentWithThreshold(img, smooth, seed, radius, lvCentre);
      if (count(m)) return m;
    }
    return labels;
  }

  Mask segmentWithThreshold(const Image& img, const Image& smooth, Point seed, double radiusMm, Point& lvCentre) {
    Mask labels(img.width, img.height, kBackground);
    Bright b = brightRegions(smooth, seed, radiusMm, 90);
    const Grid<int>& comp = b.comp;
    const std::vector<Region>& regions = b.regions;
    int n = static_cast<int>(regions.size()) - 1;
    // The LV blood pool: the region under the seed (tracked from the neighbouring image), round.
    int best = 0;
    double bestScore = 0;
    for (int l = 1; l <= n; ++l) {
      double areaMm2 = regions[l].area * mm_ * mm_;
      if (areaMm2 < 40 || areaMm2 > 8000) continue;
      double dist = std::hypot(regions[l].centre.x - seed.x, regions[l].centre.y - seed.y) * mm_;
      if (dist > 15) continue;
      bool covers =
          seed.x >= 0 && seed.y >= 0 && comp.inside(int(seed.x), int(seed.y)) && comp.at(int(seed.x), int(seed.y)) == l;
      double score = roundness(regions[l]) * std::exp(-dist / 8.0) * (covers ? 1.5 : 1.0);
      if (score > bestScore) {
        bestScore = score;
        best = l;
      }
    }
    if (!best || bestScore < 0.3) return labels;  // no LV here (beyond the apex or the base)
    lvCentre = regions[best].centre;
    return labelsAround(img, smooth, b.threshold, separate(regions[best].mask, seed), lvCentre);
  }

  // Where the pool found from the seed disagrees with the rest of the cycle: the bright region that
  // overlaps the adjacent phase's pool most, kept within a few millimetres of it (the heart moves
  // little between phases), so that a leak is cut and a dim pool is still found.
  Mask segmentGuided(const Image& img, const Mask& guideLabels) {
    Mask guide(img.width, img.height, 0);
    double sx = 0, sy = 0, n = 0;
    for (int y = 0; y < img.height; ++y)
      for (int x = 0; x < img.width; ++x)
        if (guideLabels.at(x, y) == kLvBlood) {
          guide.at(x, y) = 1;
          sx += x;
          sy += y;
          n += 1;
        }
    Mask labels(img.width, img.height, kBackground);
    if (n == 0) return labels;
    Image smooth = blur(img, 1);
    // The threshold from around the guide's pool (its equivalent radius and 15 mm of wall beyond).
    Bright b = brightRegions(smooth, {sx / n, sy / n}, std::sqrt(n / kPi) * mm_ + 15, 90);
    std::vector<double> overlap(b.regions.size(), 0);
    for (std::size_t i = 0; i < guide.data.size(); ++i)
      if (guide.data[i] && b.comp.data[i]) overlap[b.comp.data[i]] += 1;
    int best = int(std::max_element(overlap.begin(), overlap.end()) - overlap.begin());
    if (overlap[best] < 0.3 * n) return labels;
    Mask near = withinDistance(guide, px(3)), lv(img.width, img.height, 0);
    for (std::size_t i = 0; i < lv.data.size(); ++i) lv.data[i] = b.comp.data[i] == best && near.data[i];
    Region kept = largestRegion(lv);
    Point lvCentre = kept.centre;
    return labelsAround(img, smooth, b.threshold, kept.mask, lvCentre);
  }

  // The labels of an image given its LV blood pool `lv` (bright above `t`): the pool refined and
  // the myocardium around it (the RV comes later, once the whole stack's LV is settled).
  // The LV pool and myocardium of one image around the pool `lv` found by threshold (t): the pool
  // closed and its edge refined along rays from its centre, then the wall walked outwards.
  Mask labelsAround(const Image& img, const Image& smooth, float t, Mask lv, Point lvCentre) {
    Mask labels(img.width, img.height, kBackground);
    lv = closePool(lv);
    Rays rays{img, smooth, lvCentre, std::vector<double>(Rays::kCount, 0)};
    rays.measureEndo(lv);
    // The myocardium's own level: the median just outside the blood pool (2-4 mm).
    std::vector<float> wall;
    for (int r = 0; r < Rays::kCount; ++r)
      for (double k = px(2); k <= px(4); k += 0.5) {
        float v = rays.sample(rays.angle(r), rays.endo[r] + k);
        if (v > kOffImage) wall.push_back(v);
      }
    float myo = wall.empty() ? t * 0.5f : median(wall);
    lv = refineAtHalfLevel(rays, lv, myo);
    lv = growToTheWall(rays, lv);
    // One pool: the star shape of a small pool (near the apex) can come apart between its rays.
    if (count(lv)) lv = largestRegion(lv).mask;
    rays.measureEndo(lv);
    // How far the wall's own values spread (median absolute deviation of the samples).
    std::vector<float> dev;
    for (float v : wall) dev.push_back(std::abs(v - myo));
    float spread = median(std::move(dev));
    float band = std::max({0.05f, 0.65f * (t - myo), 3.0f * spread});
    std::vector<double> epi = wallThickness(rays, myo, band);
    // The basal convention: a blood pool counts while at least half of it is surrounded by
    // myocardium; where the ventricle opens into the atrium or the outflow tract, the wall is
    // missing along the rays (blood right outside the border).
    int walled = 0;
    for (int r = 0; r < Rays::kCount; ++r) {
      float v = rays.sample(rays.angle(r), rays.endo[r] + px(3));
      walled += v > kOffImage && std::abs(v - myo) <= band;
    }
    if (walled < Rays::kCount / 2) return labels;
    Mask epiMask = epicardium(rays, lv, epi);
    for (std::size_t i = 0; i < labels.data.size(); ++i)
      labels.data[i] = lv.data[i] ? kLvBlood : epiMask.data[i] ? kLvMyocardium : kBackground;
    return labels;
  }

  // Papillary muscles and trabeculations belong to the blood pool: close, fill holes, and take the
  // convex hull when it adds little (notches left by muscles against the wall; a large addition
  // would be the outflow tract at the base).
  Mask closePool(Mask lv) const {
    lv = erode(dilate(lv, px(3)), px(3));
    fillHoles(lv);
    return convexIfNotched(lv);
  }

  // The blood pool's edge at half way between blood and myocardium (not at the global threshold,
  // which partial volume pushes outwards), then papillary muscles filled in again.
  Mask refineAtHalfLevel(Rays& rays, Mask lv, float myo) const {
    const Image& img = rays.img;
    const Image& smooth = rays.smooth;
    std::vector<float> blood;
    for (int y = 0; y < img.height; ++y)
      for (int x = 0; x < img.width; ++x)
        if (lv.at(x, y)) blood.push_back(smooth.at(x, y));
    float half = myo + 0.4f * (median(std::move(blood)) - myo);
    Mask grown = withinDistance(lv, px(2)), refined(img.width, img.height, 0);
    for (std::size_t i = 0; i < refined.data.size(); ++i) refined.data[i] = grown.data[i] && smooth.data[i] > half;
    Grid<int> rc;
    int rn = components(refined, rc);
    int keep = 0;
    std::size_t keepArea = 0;
    for (int l = 1; l <= rn; ++l) {
      std::size_t area = 0;
      for (std::size_t i = 0; i < rc.data.size(); ++i) area += rc.data[i] == l && lv.data[i];
      if (area > keepArea) {
        keepArea = area;
        keep = l;
      }
    }
    if (!keep) return lv;
    for (std::size_t i = 0; i < refined.data.size(); ++i) refined.data[i] = rc.data[i] == keep;
    refined = erode(dilate(refined, px(3)), px(3));
    fillHoles(refined);
    lv = convexIfNotched(refined);
    rays.measureEndo(lv);
    return lv;
  }

  // Repeated while the pool still grows (each pass searches a few millimetres beyond the last
  // border, so a pool first found too small reaches its wall in steps); three passes at most, as
  // a thin wall can let the search through to the dark beyond it.
  Mask growToTheWall(Rays& rays, Mask lv) const {
    for (int pass = 0, before = -1; pass < 3 && count(lv) > 1.02 * before; ++pass) {
      before = static_cast<int>(count(lv));
      // The pool's edge along each ray against the local levels (coil sensitivity leaves one side
      // of the pool darker than the other): from the wall's darkest point inwards to where the
      // intensity has risen a quarter of the way to the blood inside.
      std::vector<double> radius(Rays::kCount);
      for (int r = 0; r < Rays::kCount; ++r) {
        double a = rays.angle(r), e = rays.endo[r];
        std::vector<float> inside;
        for (double d = 0.4 * e; d < e; d += 0.5)
          if (float v = rays.sample(a, d); v > kOffImage) inside.push_back(v);
        double dMin = e;
        float vMin = 1e9f;
        for (double d = std::max(0.0, e - px(2)); d <= e + px(4); d += 0.5)
          if (float v = rays.sample(a, d); v > kOffImage && v < vMin) {
            vMin = v;
            dMin = d;
          }
        if (inside.empty() || vMin > 1e8f) {
          radius[r] = e;
          continue;
        }
        float level = vMin + 0.25f * (median(std::move(inside)) - vMin);
        // On the unsmoothed image: a border pixel counts as blood when a quarter of it is.
        double d = dMin;
        while (d > 0.4 * e && rays.onRay(rays.img, a, d) < level) d -= 0.5;
        radius[r] = d;
      }
      Mask star = starShape(rays.img.width, rays.img.height, rays.centre, circularMedian(radius, 3));
      star = erode(dilate(star, px(3)), px(3));
      fillHoles(star);
      lv = convexIfNotched(star);
      rays.measureEndo(lv);
    }
    return lv;
  }

  // The wall's thickness along each ray: outwards from the blood pool while the intensity stays
  // the wall's (2 to 15 mm).
  std::vector<double> wallThickness(const Rays& rays, float myo, float band) const {
    std::vector<double> epi(Rays::kCount, 0);
    std::vector<bool> found(Rays::kCount);
    for (int r = 0; r < Rays::kCount; ++r) {
      double a = rays.angle(r), e = rays.endo[r] + px(2);
      // The wall's own level on this ray (coil sensitivity darkens one side of the heart): the
      // median just outside the blood pool, at most the band above the slice's.
      float local = myo;
      std::vector<float> near;
      for (double d = rays.endo[r] + px(2); d <= rays.endo[r] + px(4); d += 0.5)
        if (float v = rays.sample(a, d); v > kOffImage) near.push_back(v);
      if (!near.empty()) local = std::min(median(std::move(near)), myo + band);
      // Out to something brighter (fat, the RV's blood) or darker (lung, air), on the unsmoothed
      // image (three samples along the ray against noise): the smoothed one spreads the wall's edge
      // outwards, which made the wall half again as thick as the experts draw it.
      found[r] = false;
      while (e < rays.endo[r] + px(15)) {
        float v0 = rays.onRay(rays.img, a, e - 0.5), v1 = rays.onRay(rays.img, a, e),
              v2 = rays.onRay(rays.img, a, e + 0.5);
        if (v0 == kOffImage || v1 == kOffImage || v2 == kOffImage) break;
        // Lung and air are far darker than the wall, but the band is set by the blood's contrast
        // and can reach below half the wall's level where coil sensitivity dims it: below half
        // is outside too.
        float v = (v0 + v1 + v2) / 3;
        if (std::abs(v - local) > band || v < 0.5f * local) {
          found[r] = true;
          break;
        }
        e += 0.5;
      }
      epi[r] = e - rays.endo[r];
    }
    // Where the wall meets something of its own brightness (liver, the chest wall) the walk runs on
    // to its limit (about one ray in ten on the Sunnybrook images): such rays take the median
    // thickness of the rays that found a border.
    std::vector<double> measured;
    for (int r = 0; r < Rays::kCount; ++r)
      if (found[r]) measured.push_back(epi[r]);
    if (measured.size() >= Rays::kCount / 4) {
      double typical = median(std::move(measured));
      for (int r = 0; r < Rays::kCount; ++r)
        if (!found[r]) epi[r] = std::min(epi[r], typical);
    }
    return epi;
  }

  // The epicardium: the pool's edge plus the thickness smoothed around the circle (median of 9
  // neighbours). The wall encloses the pool by at least a pixel, also where the pool reaches past
  // the rays' first crossing (a pool that is not star-shaped from its centre); the 3x3
  // neighbourhood keeps that ring 4-connected round corners.
  Mask epicardium(const Rays& rays, const Mask& lv, const std::vector<double>& epi) const {
    std::vector<double> thick = circularMedian(epi, 4);
    std::vector<double> outer(Rays::kCount);
    for (int r = 0; r < Rays::kCount; ++r) outer[r] = rays.endo[r] + thick[r];
    Mask epiMask = starShape(rays.img.width, rays.img.height, rays.centre, outer);
    Mask around = withinDistance(lv, 1);
    for (std::size_t i = 0; i < epiMask.data.size(); ++i) epiMask.data[i] |= around.data[i];
    fillHoles(epiMask);
    return epiMask;
  }
};

}  // namespace

std::unique_ptr<ISegmenter> makeClassicSegmenter() { return std::make_unique<ClassicSegmenter>(); }

}  // namespace atrium::cardiac
