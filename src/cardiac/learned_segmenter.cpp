#include "cardiac/learned_segmenter.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <thread>
#include <utility>

#include "cardiac/function.h"
#include "cardiac/learned_preprocess.h"
#include "cardiac/segmentation_model.h"
#include "cardiac/shapes.h"
#include "cardiac/stack_consistency.h"
#include "common/in_parallel.h"
#include "common/install_paths.h"

namespace atrium::cardiac {
namespace {

constexpr int kClasses = SegmentationModel::kClasses;
constexpr Label kFromNetwork[kClasses] = {kBackground, kRvBlood, kLvMyocardium, kLvBlood};
constexpr int kNetworkRv = 1, kNetworkLv = 3;
// Below this mean top probability over a slice's heart pixels, the slice is flagged for review.
constexpr double kLowConfidence = 0.80;
constexpr unsigned kMaxThreads = 4;
// How far (mm) an LV pool may sit from the phase's median pool centre before its size stops counting
// when choosing between pools (the scale of a Gaussian weight).
constexpr double kPoolDistanceMm = 30;
// Views (segmentation_model.h) averaged for the end-diastolic and end-systolic images, and how many
// times the choice of those phases may be revisited after labelling them again.
constexpr int kReportedPhaseViews = 4;
constexpr int kRefiningRounds = 2;

struct Job {
  std::size_t slice, phase;
};
// Per image of the network's labels: the shape rules' result, and whether the network drew more than
// one pool of either ventricle. Kept between rounds: only the images labelled again change.
struct ShapedImages {
  Segmentation labels;
  std::vector<std::vector<std::uint8_t>> manyLv, manyRv;
};
// The top probability summed over a slice's heart pixels, and how many there were.
struct Confidence {
  double sum = 0;
  std::size_t pixels = 0;
};
// What places a crop's labels on its image: the images on the model's grid, the images themselves,
// and the heart's centre on the grid.
struct Placement {
  const std::vector<std::vector<Image>>& grids;
  const CineData& data;
  int cy, cx;
};

// Every image of a stack as (slice, phase), slice by slice.
template <typename Images>
std::vector<Job> everyImage(const std::vector<Images>& slices) {
  std::vector<Job> all;
  for (std::size_t s = 0; s < slices.size(); ++s)
    for (std::size_t p = 0; p < slices[s].size(); ++p) all.push_back({s, p});
  return all;
}

// End-diastole and end-systole, as computeFunction chooses them.
std::vector<std::size_t> reportedPhases(const CineStack& stack, const Segmentation& seg) {
  const auto volumes = phaseVolumes(stack, seg);
  if (volumes.lvMl.empty()) return {};
  const auto [ed, es] = endPhases(volumes.lvMl);
  return {std::size_t(ed), std::size_t(es)};
}

class LearnedSegmenter : public ISegmenter {
 public:
  // One network per core, each run single-threaded on its own slices: OpenCV's own threads gain
  // little on a 128 x 128 input (42 -> 37 ms per image on two cores, measured), two images at once
  // almost twice that.
  explicit LearnedSegmenter(const std::filesystem::path& file) {
    unsigned cores = std::max(1u, std::min(kMaxThreads, std::thread::hardware_concurrency()));
    for (unsigned i = 0; i < cores; ++i) models_.push_back(std::make_unique<SegmentationModel>(file));
    name_ = "learned (" + models_[0]->version() + ")";
  }

  const char* name() const override { return name_.c_str(); }
  std::vector<std::string> warnings() const override { return warnings_; }

  Segmentation segment(const CineStack& stack, const CineData& data) override {
    warnings_.clear();
    const CineImage& ref = stack.slices.at(0).phases.at(0);
    std::vector<std::vector<Image>> grids(data.images.size());
    for (std::size_t s = 0; s < data.images.size(); ++s) grids[s].resize(data.images[s].size());
    const auto images = everyImage(data.images);
    common::inParallel(images.size(), models_.size(), [&](std::size_t i, std::size_t) {
      const auto [s, p] = images[i];
      grids[s][p] = modelGrid(data.images[s][p], ref.rowSpacing, ref.colSpacing);
    });
    // Plain variables, not a structured binding: clang 14 (the sanitizer build) cannot capture one.
    const auto heart = locateHeart(grids);
    const Placement at{grids, data, heart.first, heart.second};

    // The network's labels, image by image: first every image from one view, the confidence's source.
    Segmentation net(grids.size());
    std::size_t phases = 0;
    for (std::size_t s = 0; s < grids.size(); ++s) {
      net[s].resize(grids[s].size());
      phases = std::max(phases, grids[s].size());
    }
    std::vector<Confidence> confidence(grids.size());
    label(images, 1, at, net, &confidence);

    // Then the phases the results come from (end-diastole and end-systole: the largest and the
    // smallest LV pool) again as the mean of several views; should that move either phase, once more.
    std::vector<int> views(phases, 1);
    const auto offsets = sliceOffsets(stack);
    std::vector<std::string> ruleWarnings;
    ShapedImages shaped;
    shape(net, images, shaped);
    Segmentation seg = applyStackRules(stack, offsets, at, net, shaped, views, ruleWarnings);
    for (int round = 0; round < kRefiningRounds && kReportedPhaseViews > 1; ++round) {
      std::vector<Job> again;
      for (std::size_t p : reportedPhases(stack, seg))
        if (p < phases && views[p] == 1) {
          views[p] = kReportedPhaseViews;
          for (std::size_t s = 0; s < grids.size(); ++s)
            if (p < grids[s].size()) again.push_back({s, p});
        }
      if (again.empty()) break;
      label(again, kReportedPhaseViews, at, net, nullptr);
      shape(net, again, shaped);
      seg = applyStackRules(stack, offsets, at, net, shaped, views, ruleWarnings);
    }
    warnings_.insert(warnings_.end(), ruleWarnings.begin(), ruleWarnings.end());
    for (std::size_t s = 0; s < grids.size(); ++s)
      if (confidence[s].pixels > 0 && confidence[s].sum / double(confidence[s].pixels) < kLowConfidence) {
        char buf[200];
        std::snprintf(buf, sizeof buf,
                      "slice %zu (at %.1f mm): the model is unsure of its contours (mean confidence %.2f): review them",
                      s + 1, stack.slices[s].position, confidence[s].sum / double(confidence[s].pixels));
        warnings_.push_back(buf);
      }
    return seg;
  }

 private:
  // The network's labels of the images in `jobs`, each the mean of `views` views (one network per
  // thread, an image at a time); the confidence of each slice summed where asked.
  void label(const std::vector<Job>& jobs, int views, const Placement& at, Segmentation& net,
             std::vector<Confidence>* confidence) {
    if (models_.size() > 1) cv::setNumThreads(1);  // the parallelism is ours: an image per thread
    std::vector<Confidence> perJob(jobs.size());
    try {
      common::inParallel(jobs.size(), models_.size(), [&](std::size_t j, std::size_t worker) {
        const auto [s, p] = jobs[j];
        auto prob = models_[worker]->probabilities({cropAround(at.grids[s][p], at.cy, at.cx)}, views);
        const Image& native = at.data.images[s][p];
        net[s][p] = labelsOnImageGrid(prob[0], at.grids[s][p], at.cy, at.cx, native.width, native.height,
                                      perJob[j].sum, perJob[j].pixels);
      });
    } catch (...) {
      cv::setNumThreads(-1);
      throw;
    }
    cv::setNumThreads(-1);  // OpenCV's default again
    if (confidence)
      for (std::size_t j = 0; j < jobs.size(); ++j) {
        (*confidence)[jobs[j].slice].sum += perJob[j].sum;
        (*confidence)[jobs[j].slice].pixels += perJob[j].pixels;
      }
  }

  // The shape rules on the images `jobs` of the network's labels, into `shaped` (sized on first use).
  void shape(const Segmentation& net, const std::vector<Job>& jobs, ShapedImages& shaped) const {
    if (shaped.labels.size() != net.size()) {
      shaped.labels.assign(net.size(), {});
      shaped.manyLv.assign(net.size(), {});
      shaped.manyRv.assign(net.size(), {});
      for (std::size_t s = 0; s < net.size(); ++s) {
        shaped.labels[s].resize(net[s].size());
        shaped.manyLv[s].resize(net[s].size());
        shaped.manyRv[s].resize(net[s].size());
      }
    }
    common::inParallel(jobs.size(), models_.size(), [&](std::size_t j, std::size_t) {
      const auto [s, p] = jobs[j];
      shaped.manyLv[s][p] = componentCount(net[s][p], kLvBlood) > 1;
      shaped.manyRv[s][p] = componentCount(net[s][p], kRvBlood) > 1;
      Mask labels = net[s][p];
      applyShapeRules(labels);
      shaped.labels[s][p] = std::move(labels);
    });
  }

  // The rules, from the network's labels each time (some are not idempotent): the shape rules on
  // every image (`shaped`, from `net`), then what the stack tells (stack_consistency.h). `views`: per
  // phase, for labelling an image again.
  Segmentation applyStackRules(const CineStack& stack, const std::vector<Point>& offsets, const Placement& at,
                               const Segmentation& net, const ShapedImages& shaped, const std::vector<int>& views,
                               std::vector<std::string>& ruleWarnings) {
    ruleWarnings.clear();
    Segmentation raw = net, seg = shaped.labels;
    keepPoolsNearTheStack(stack, offsets, raw, shaped, seg, models_.size());
    resegmentRvOnLv(stack, offsets, at, views, raw, seg, ruleWarnings);
    dropAtrialBase(seg, wallCoverages(raw, seg));
    return seg;
  }

  // The heart's centre on the model grid: the model run over overlapping tiles of the middle
  // slice at two phases (a quarter of the segmentation's time on a 12-slice cine); of the heart
  // labels' components holding some LV pool, the largest one's centroid (by LV pool alone, a
  // bright vessel at the image's edge won over a heart with a large RV on an ACDC patient).
  std::pair<int, int> locateHeart(const std::vector<std::vector<Image>>& grids) {
    const Image& g0 = grids[0][0];
    const int h = g0.height, w = g0.width;
    std::vector<Image> sum(kClasses, Image(w, h, 0.0f));
    // Tiles covering the image, overlapping by at least 16 pixels (2 x 2 up to 240 pixels a side).
    auto starts = [](int n) {
      if (n <= kModelCrop) return std::vector<int>{(n - kModelCrop) / 2};
      int k = (n - kModelCrop + kModelCrop - 17) / (kModelCrop - 16) + 1;
      std::vector<int> v;
      for (int i = 0; i < k; ++i) v.push_back(int(std::lround(double(i) * (n - kModelCrop) / (k - 1))));
      return v;
    };
    const std::size_t s = grids.size() / 2;
    for (std::size_t p : {std::size_t(0), grids[s].size() / 3})
      for (int y0 : starts(h))
        for (int x0 : starts(w)) {
          auto prob = models_[0]->probabilities({cropAround(grids[s][p], y0 + kModelCrop / 2, x0 + kModelCrop / 2)});
          for (int y = std::max(0, y0); y < std::min(h, y0 + kModelCrop); ++y)
            for (int x = std::max(0, x0); x < std::min(w, x0 + kModelCrop); ++x)
              for (int c = 0; c < kClasses; ++c) sum[c].at(x, y) += prob[0][c].at(x - x0, y - y0);
        }
    Mask heart(w, h, 0), lv(w, h, 0);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        int best = 0;
        for (int c = 1; c < kClasses; ++c)
          if (sum[c].at(x, y) > sum[best].at(x, y)) best = c;
        heart.at(x, y) = best != 0;
        lv.at(x, y) = kFromNetwork[best] == kLvBlood;
      }
    Grid<int> comp;
    int n = components(heart, comp);
    std::vector<double> lvCount(n + 1, 0), count(n + 1, 0), sy(n + 1, 0), sx(n + 1, 0);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        if (int c = comp.at(x, y)) {
          count[c] += 1;
          lvCount[c] += lv.at(x, y);
          sy[c] += y;
          sx[c] += x;
        }
    int best = 0;
    for (int c = 1; c <= n; ++c)
      if (lvCount[c] > 0 && (best == 0 || count[c] > count[best])) best = c;
    if (best == 0) {
      warnings_.push_back("the model found no heart in the mid-ventricular images: segmented around the image centre");
      return {h / 2, w / 2};
    }
    return {int(std::lround(sy[best] / count[best])), int(std::lround(sx[best] / count[best]))};
  }

  // Where the network labelled more than one pool of a ventricle in an image (a bright bowel loop
  // below an apical slice, seen on ACDC patients), the pool kept is the one near where the other
  // slices of the phase have theirs, not merely the largest.
  static void keepPoolsNearTheStack(const CineStack& stack, const std::vector<Point>& offsets, const Segmentation& raw,
                                    const ShapedImages& shaped, Segmentation& seg, std::size_t threads) {
    const auto lv = poolCentres(seg, kLvBlood, offsets), rv = poolCentres(seg, kRvBlood, offsets);
    const double sigma = kPoolDistanceMm / std::max(0.1, stack.slices.at(0).phases.at(0).colSpacing);
    const auto images = everyImage(raw);
    common::inParallel(images.size(), threads, [&](std::size_t i, std::size_t) {
      // Plain variables, not a structured binding: `here` captures them (clang 14 cannot capture one).
      const std::size_t s = images[i].slice, p = images[i].phase;
      if (p >= lv.size()) return;
      // The phase's centres in this slice's own pixels.
      auto here = [&](const std::optional<Point>& c) -> std::optional<Point> {
        if (!c) return std::nullopt;
        const Point o = s < offsets.size() ? offsets[s] : Point{};
        return Point{c->x - o.x, c->y - o.y};
      };
      PoolHints near{shaped.manyLv[s][p] ? here(lv[p]) : std::nullopt, shaped.manyRv[s][p] ? here(rv[p]) : std::nullopt,
                     sigma};
      if (!near.lv && !near.rv) return;
      seg[s][p] = raw[s][p];
      applyShapeRules(seg[s][p], near);
    });
  }

  // An image labelled RV where the slices beside it hold the LV pool (an apical LV the network took
  // for the RV: seen on an unseen patient) is labelled again with the RV's probability given to the LV.
  void resegmentRvOnLv(const CineStack& stack, const std::vector<Point>& offsets, const Placement& at,
                       const std::vector<int>& views, Segmentation& raw, Segmentation& seg,
                       std::vector<std::string>& ruleWarnings) {
    std::vector<std::size_t> perSlice(seg.size(), 0);
    for (const auto& [s, p] : rvOnNeighboursLv(seg, offsets)) {
      auto prob = models_[0]->probabilities({cropAround(at.grids[s][p], at.cy, at.cx)}, views.at(p));
      // Blood is blood: the RV's probability counts for the LV pool here.
      Image& lvProb = prob[0][kNetworkLv];
      Image& rvProb = prob[0][kNetworkRv];
      for (std::size_t i = 0; i < lvProb.data.size(); ++i) lvProb.data[i] += std::exchange(rvProb.data[i], 0.0f);
      double unusedSum = 0;
      std::size_t unusedCount = 0;
      const Image& native = at.data.images[s][p];
      Mask labels = labelsOnImageGrid(prob[0], at.grids[s][p], at.cy, at.cx, native.width, native.height, unusedSum,
                                      unusedCount);
      raw[s][p] = labels;
      applyShapeRules(labels);
      seg[s][p] = std::move(labels);
      ++perSlice[s];
    }
    for (std::size_t s = 0; s < perSlice.size(); ++s)
      if (perSlice[s]) {
        char buf[240];
        std::snprintf(buf, sizeof buf,
                      "slice %zu (at %.1f mm): in %zu phase(s) the model drew the RV where the slices beside it have "
                      "the LV: labelled again as LV, review them",
                      s + 1, stack.slices[s].position, perSlice[s]);
        ruleWarnings.push_back(buf);
      }
  }

  // A crop's probabilities placed on its model grid (background outside the crop), resampled to
  // the image's own grid and turned into labels; the top probability of heart pixels is summed.
  static Mask labelsOnImageGrid(const std::vector<Image>& prob, const Image& grid, int cy, int cx, int width,
                                int height, double& confidenceSum, std::size_t& confidenceCount) {
    int r0 = cy - kModelCrop / 2, c0 = cx - kModelCrop / 2;
    std::vector<cv::Mat> native(kClasses);
    for (int c = 0; c < kClasses; ++c) {
      cv::Mat onGrid(grid.height, grid.width, CV_32F, cv::Scalar(c == 0 ? 1.0f : 0.0f));
      for (int y = std::max(0, r0); y < std::min(grid.height, r0 + kModelCrop); ++y)
        for (int x = std::max(0, c0); x < std::min(grid.width, c0 + kModelCrop); ++x)
          onGrid.at<float>(y, x) = prob[c].at(x - c0, y - r0);
      cv::resize(onGrid, native[c], cv::Size(width, height), 0, 0, cv::INTER_LINEAR);
    }
    Mask labels(width, height, kBackground);
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x) {
        int best = 0;
        float top = native[0].at<float>(y, x);
        for (int c = 1; c < kClasses; ++c)
          if (native[c].at<float>(y, x) > top) {
            top = native[c].at<float>(y, x);
            best = c;
          }
        labels.at(x, y) = kFromNetwork[best];
        if (best != 0) {
          confidenceSum += top;
          ++confidenceCount;
        }
      }
    return labels;
  }

  std::vector<std::unique_ptr<SegmentationModel>> models_;
  std::string name_;
  std::vector<std::string> warnings_;
};

}  // namespace

namespace {
void keepPool(Mask& labels, Label pool, const std::optional<Point>& near, double sigma) {
  if (near)
    keepComponentNear(labels, pool, *near, sigma);
  else
    keepLargestComponent(labels, pool);
}
}  // namespace

void applyShapeRules(Mask& labels, const PoolHints& near) {
  keepPool(labels, kLvBlood, near.lv, near.sigma);
  keepPool(labels, kRvBlood, near.rv, near.sigma);
  // The LV pool without holes (papillary muscles and trabeculations count as blood).
  Mask lv = maskOf(labels, kLvBlood);
  fillHoles(lv);
  const bool hasPool = count(lv) > 0;
  // What the myocardium and the pool enclose together is myocardium or pool; no pool, no wall.
  Mask epi(labels.width, labels.height, 0);
  for (std::size_t i = 0; i < epi.data.size(); ++i) epi.data[i] = lv.data[i] || labels.data[i] == kLvMyocardium;
  fillHoles(epi);
  // The wall all round the pool: where the pool touches anything else (the outflow tract at the
  // base, a gap the model left), a pixel of wall (8-neighbours, so that the ring is 4-connected).
  const Mask ring = outerRing(lv);
  for (std::size_t i = 0; i < epi.data.size(); ++i)
    if (ring.data[i]) epi.data[i] = 1;
  Mask rv = maskOf(labels, kRvBlood);
  fillHoles(rv);
  for (std::size_t i = 0; i < labels.data.size(); ++i)
    labels.data[i] = lv.data[i]               ? kLvBlood
                     : epi.data[i] && hasPool ? kLvMyocardium
                     : rv.data[i]             ? kRvBlood
                                              : kBackground;
  // One piece each: of the wall, the piece round the pool (a larger stray piece elsewhere goes).
  Mask wall = maskOf(labels, kLvMyocardium);
  Grid<int> pieces;
  components(wall, pieces);
  int roundPool = 0;
  for (int y = 0; y < labels.height && !roundPool; ++y)
    for (int x = 0; x < labels.width && !roundPool; ++x)
      if (pieces.at(x, y) && ((x > 0 && lv.at(x - 1, y)) || (x + 1 < labels.width && lv.at(x + 1, y)) ||
                              (y > 0 && lv.at(x, y - 1)) || (y + 1 < labels.height && lv.at(x, y + 1))))
        roundPool = pieces.at(x, y);
  for (std::size_t i = 0; i < labels.data.size(); ++i)
    if (labels.data[i] == kLvMyocardium && pieces.data[i] != roundPool) labels.data[i] = kBackground;
  keepPool(labels, kRvBlood, near.rv, near.sigma);
}

std::filesystem::path defaultModelPath() {
  if (const char* env = std::getenv("ATRIUM_MODEL"); env && *env) return env;
  if (auto installed = installedFile("models/cardiac_unet.onnx")) return *installed;
  return std::filesystem::path(ATRIUM_MODEL_DIR) / "cardiac_unet.onnx";
}

std::unique_ptr<ISegmenter> makeLearnedSegmenter(const std::filesystem::path& model) {
  return std::make_unique<LearnedSegmenter>(model);
}

}  // namespace atrium::cardiac
