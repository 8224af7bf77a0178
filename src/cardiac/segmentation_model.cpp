#include "cardiac/segmentation_model.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "cardiac/cine_stack.h"
#include "cardiac/learned_preprocess.h"
#include "common/hash.h"

namespace atrium::cardiac {

struct SegmentationModel::Network {
  cv::dnn::Net net;
};

SegmentationModel::SegmentationModel(const std::filesystem::path& model) : net_(std::make_unique<Network>()) {
  const std::string name = "segmentation model " + model.string();
  std::ifstream in(model, std::ios::binary);
  if (!in) throw CardiacError(name + ": cannot be read (missing?)");
  std::stringstream bytes;
  bytes << in.rdbuf();
  std::string data = bytes.str();
  auto cardFile = std::filesystem::path(model.string() + ".json");
  std::ifstream cardIn(cardFile);
  if (!cardIn) throw CardiacError(name + ": its card " + cardFile.string() + " is missing");
  auto card = nlohmann::json::parse(cardIn, nullptr, false);
  if (!card.is_object() || !card.contains("sha256") || !card["sha256"].is_string() || !card.contains("version") ||
      !card["version"].is_string())
    throw CardiacError(name + ": its card " + cardFile.string() + " is not valid");
  if (hash::sha256Hex(data) != card["sha256"].get<std::string>())
    throw CardiacError(name + " is damaged (its SHA-256 differs from its card's)");
  if (card.value("pixel_mm", 0.0) != kModelPixelMm || card.value("crop", 0) != kModelCrop)
    throw CardiacError(name + ": made for another pixel size or crop than this atrium's");
  version_ = card["version"].get<std::string>();
  try {
    net_->net = cv::dnn::readNetFromONNX(data.data(), data.size());
    net_->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net_->net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  } catch (const cv::Exception& e) {
    throw CardiacError(name + " cannot be loaded: " + e.msg);
  }
  // One pass now: a file that loads but is not this network fails here, not halfway through.
  probabilities({Image(kModelCrop, kModelCrop, 0.0f)});
}

SegmentationModel::~SegmentationModel() = default;

namespace {

// View v of a square image: mirrored left-right when kMirrored[v], then kTurns[v] quarter turns
// clockwise; the first four are those a flip of rows or columns gives (no quarter turn).
constexpr int kTurns[SegmentationModel::kMaxViews] = {0, 0, 2, 2, 1, 3, 1, 3};
constexpr bool kMirrored[SegmentationModel::kMaxViews] = {false, true, false, true, false, false, true, true};

void turn(const cv::Mat& in, cv::Mat& out, int quarters) {
  switch ((quarters % 4 + 4) % 4) {
    case 1: cv::rotate(in, out, cv::ROTATE_90_CLOCKWISE); break;
    case 2: cv::rotate(in, out, cv::ROTATE_180); break;
    case 3: cv::rotate(in, out, cv::ROTATE_90_COUNTERCLOCKWISE); break;
    default: in.copyTo(out);
  }
}

// `image` (square) into view v, or back from it.
void toView(Image& image, int v, bool back) {
  cv::Mat m(image.height, image.width, CV_32F, image.data.data()), tmp;
  if (!back) {
    if (kMirrored[v]) cv::flip(m, m, 1);
    turn(m, tmp, kTurns[v]);
  } else {
    turn(m, tmp, -kTurns[v]);
    if (kMirrored[v]) cv::flip(tmp, tmp, 1);
  }
  tmp.copyTo(m);  // same size: writes into image's own data
}

}  // namespace

std::vector<std::vector<Image>> SegmentationModel::probabilities(const std::vector<Image>& crops, int views) {
  if (views < 1 || views > kMaxViews) throw CardiacError("internal: " + std::to_string(views) + " views of a crop");
  auto sum = probabilitiesOfOneView(crops);
  for (int v = 1; v < views; ++v) {
    std::vector<Image> turned = crops;
    for (auto& c : turned) toView(c, v, false);
    auto p = probabilitiesOfOneView(turned);
    for (std::size_t i = 0; i < p.size(); ++i)
      for (int c = 0; c < kClasses; ++c) {
        toView(p[i][c], v, true);
        for (std::size_t k = 0; k < p[i][c].data.size(); ++k) sum[i][c].data[k] += p[i][c].data[k];
      }
  }
  if (views > 1)
    for (auto& planes : sum)
      for (auto& plane : planes)
        for (auto& x : plane.data) x /= float(views);
  return sum;
}

std::vector<std::vector<Image>> SegmentationModel::probabilitiesOfOneView(const std::vector<Image>& crops) {
  std::vector<std::vector<Image>> out;
  const std::size_t plane = std::size_t(kModelCrop) * kModelCrop;
  for (const auto& crop : crops) {
    if (crop.width != kModelCrop || crop.height != kModelCrop)
      throw CardiacError("internal: a model input of " + std::to_string(crop.width) + " x " +
                         std::to_string(crop.height) + " pixels");
    // One image per pass: the network was exported with a batch of one.
    int dims[4] = {1, 1, kModelCrop, kModelCrop};
    cv::Mat blob(4, dims, CV_32F, const_cast<float*>(crop.data.data()));
    cv::Mat logits;
    try {
      net_->net.setInput(blob);
      logits = net_->net.forward();
    } catch (const cv::Exception& e) {
      throw CardiacError("the segmentation model failed: " + e.msg);
    }
    if (logits.dims != 4 || logits.size[0] != 1 || logits.size[1] != kClasses || logits.size[2] != kModelCrop ||
        logits.size[3] != kModelCrop)
      throw CardiacError("the segmentation model's output is not " + std::to_string(kClasses) + " class maps");
    const float* z = logits.ptr<float>(0);
    std::vector<Image> p(kClasses, Image(kModelCrop, kModelCrop));
    for (std::size_t k = 0; k < plane; ++k) {
      float m = z[k];
      for (int c = 1; c < kClasses; ++c) m = std::max(m, z[c * plane + k]);
      float sum = 0, e[kClasses];
      for (int c = 0; c < kClasses; ++c) sum += (e[c] = std::exp(z[c * plane + k] - m));
      for (int c = 0; c < kClasses; ++c) p[c].data[k] = e[c] / sum;
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<Mask> SegmentationModel::classes(const std::vector<Image>& crops) {
  std::vector<Mask> out;
  for (const auto& p : probabilities(crops)) {
    Mask m(kModelCrop, kModelCrop, 0);
    for (std::size_t k = 0; k < m.data.size(); ++k) {
      int best = 0;
      for (int c = 1; c < kClasses; ++c)
        if (p[c].data[k] > p[best].data[k]) best = c;
      m.data[k] = static_cast<std::uint8_t>(best);
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace atrium::cardiac
