// The learned segmenter's pieces: the preprocessing against the Python definition's output, the
// exported model run by OpenCV against PyTorch's classes, the shape rules, a bad model file.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cardiac/cine_stack.h"
#include "cardiac/learned_preprocess.h"
#include "cardiac/learned_segmenter.h"
#include "cardiac/segmentation_model.h"
#include "cardiac/shapes.h"

using namespace atrium::cardiac;

namespace {

const std::filesystem::path kVectors = std::filesystem::path(ATRIUM_SOURCE_DIR) / "tests/data/cardiac";

template <typename T>
std::vector<T> readRaw(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  EXPECT_TRUE(in) << p;
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<T> out(bytes.size() / sizeof(T));
  std::memcpy(out.data(), bytes.data(), out.size() * sizeof(T));
  return out;
}

nlohmann::json readJson(const std::filesystem::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

}  // namespace

TEST(LearnedPreprocess, SameTensorAsThePythonDefinition) {
  auto meta = readJson(kVectors / "preprocess.json");
  ASSERT_EQ(meta["pixel_mm"].get<double>(), kModelPixelMm);
  ASSERT_EQ(meta["crop"].get<int>(), kModelCrop);
  Image raw(meta["cols"].get<int>(), meta["rows"].get<int>());
  raw.data = readRaw<float>(kVectors / "preprocess_input.f32");
  ASSERT_EQ(raw.data.size(), std::size_t(raw.width) * raw.height);
  auto want = readRaw<float>(kVectors / "preprocess_expected.f32");
  ASSERT_EQ(want.size(), std::size_t(kModelCrop) * kModelCrop);
  Image got = cropAround(modelGrid(raw, meta["row_mm"].get<double>(), meta["col_mm"].get<double>()),
                         meta["centre_row"].get<int>(), meta["centre_col"].get<int>());
  double worst = 0;
  for (std::size_t i = 0; i < want.size(); ++i) worst = std::max(worst, double(std::abs(got.data[i] - want[i])));
  EXPECT_LT(worst, 1e-5);
}

TEST(LearnedPreprocess, PercentileScaleSizesAndZeroOutside) {
  Image img(100, 1);
  for (int i = 0; i < 100; ++i) img.data[i] = float(i + 1);  // sorted: index floor(0.99 * 99) = 98 → 99
  Image n = normaliseIntensity(img);
  EXPECT_FLOAT_EQ(n.data[0], 1.0f / 99);
  EXPECT_FLOAT_EQ(n.data[98], 1.0f);
  EXPECT_FLOAT_EQ(n.data[99], 1.0f);  // clipped
  Image zeros(10, 10, 0.0f);
  EXPECT_FLOAT_EQ(normaliseIntensity(zeros).data[0], 0.0f);  // no division by zero
  Image r = resampleImage(Image(100, 80, 1.0f), 1.25 / 1.5, 0.7 / 1.5);
  EXPECT_EQ(r.width, 47);   // floor(100 * 0.4667 + 0.5)
  EXPECT_EQ(r.height, 67);  // floor(80 * 0.8333 + 0.5)
  Image c = cropAround(Image(10, 10, 2.0f), 0, 0, 8);
  EXPECT_FLOAT_EQ(c.at(0, 0), 0.0f);
  EXPECT_FLOAT_EQ(c.at(4, 4), 2.0f);
}

TEST(LearnedModel, OpenCvAgreesWithPyTorch) {
  auto model = std::filesystem::path(ATRIUM_SOURCE_DIR) / "models/cardiac_unet.onnx";
  if (!std::filesystem::exists(kVectors / "inference.json")) GTEST_SKIP() << "no inference vectors";
  auto meta = readJson(kVectors / "inference.json");
  int n = meta["images"].get<int>(), size = meta["size"].get<int>();
  ASSERT_EQ(size, kModelCrop);
  auto input = readRaw<float>(kVectors / "inference_input.f32");
  auto want = readRaw<std::uint8_t>(kVectors / "inference_expected.u8");
  ASSERT_EQ(input.size(), std::size_t(n) * size * size);
  ASSERT_EQ(want.size(), input.size());
  std::vector<Image> crops;
  for (int i = 0; i < n; ++i) {
    Image c(size, size);
    std::copy(input.begin() + std::ptrdiff_t(i) * size * size, input.begin() + std::ptrdiff_t(i + 1) * size * size,
              c.data.begin());
    crops.push_back(std::move(c));
  }
  SegmentationModel net(model);
  auto got = net.classes(crops);
  std::size_t same = 0, fgBoth = 0, fgEither = 0;
  for (int i = 0; i < n; ++i)
    for (std::size_t k = 0; k < got[i].data.size(); ++k) {
      std::uint8_t w = want[std::size_t(i) * size * size + k], g = got[i].data[k];
      same += w == g;
      fgBoth += w && g && w == g;
      fgEither += (w != 0) + (g != 0);
    }
  double agreement = double(same) / double(want.size());
  EXPECT_GE(agreement, 0.995);
  ASSERT_GT(fgEither, 1000u) << "the test slices must hold heart labels";
  EXPECT_GE(2.0 * double(fgBoth) / double(fgEither), 0.99);
}

namespace {
// A square image mirrored left-right, or turned a quarter clockwise (row y, column x goes to row x,
// column n-1-y), written here apart from the model's own cv::flip/cv::rotate.
Image mirrored(const Image& in) {
  Image out(in.width, in.height);
  for (int y = 0; y < in.height; ++y)
    for (int x = 0; x < in.width; ++x) out.at(in.width - 1 - x, y) = in.at(x, y);
  return out;
}
Image quarterTurned(const Image& in) {
  Image out(in.width, in.height);
  for (int y = 0; y < in.height; ++y)
    for (int x = 0; x < in.width; ++x) out.at(in.height - 1 - y, x) = in.at(x, y);
  return out;
}
double largestDifference(const std::vector<Image>& a, const std::vector<Image>& b) {
  double worst = 0;
  for (std::size_t c = 0; c < a.size(); ++c)
    for (std::size_t k = 0; k < a[c].data.size(); ++k)
      worst = std::max(worst, double(std::abs(a[c].data[k] - b[c].data[k])));
  return worst;
}
}  // namespace

// The mean over a group of views (2: the mirror; 8: every turn and mirror of the square) must not
// depend on which member of the group the crop came as: each view turned back the right way.
TEST(LearnedModel, ViewsAreTurnedBack) {
  if (!std::filesystem::exists(kVectors / "inference.json")) GTEST_SKIP() << "no inference vectors";
  auto input = readRaw<float>(kVectors / "inference_input.f32");
  ASSERT_GE(input.size(), std::size_t(kModelCrop) * kModelCrop);
  Image crop(kModelCrop, kModelCrop);
  std::copy(input.begin(), input.begin() + std::ptrdiff_t(kModelCrop) * kModelCrop, crop.data.begin());
  SegmentationModel net(std::filesystem::path(ATRIUM_SOURCE_DIR) / "models/cardiac_unet.onnx");
  auto transformed = [](std::vector<Image> planes, Image (*f)(const Image&)) {
    for (auto& p : planes) p = f(p);
    return planes;
  };
  // One view: the network alone is not symmetric, so the test below could fail.
  EXPECT_GT(largestDifference(net.probabilities({mirrored(crop)}, 1)[0],
                              transformed(net.probabilities({crop}, 1)[0], mirrored)),
            0.01);
  EXPECT_LT(largestDifference(net.probabilities({mirrored(crop)}, 2)[0],
                              transformed(net.probabilities({crop}, 2)[0], mirrored)),
            1e-4);
  auto eight = net.probabilities({crop}, 8)[0];
  EXPECT_LT(largestDifference(net.probabilities({quarterTurned(crop)}, 8)[0], transformed(eight, quarterTurned)),
            1e-4);
  EXPECT_LT(largestDifference(net.probabilities({mirrored(crop)}, 8)[0], transformed(eight, mirrored)), 1e-4);
  float total = 0;
  for (const auto& plane : eight) total += plane.data[std::size_t(kModelCrop) * kModelCrop / 2];
  EXPECT_NEAR(total, 1.0f, 1e-4);  // still probabilities
  EXPECT_THROW(net.probabilities({crop}, 0), CardiacError);
  EXPECT_THROW(net.probabilities({crop}, SegmentationModel::kMaxViews + 1), CardiacError);
}

TEST(LearnedModel, MissingOrDamagedFileIsNamed) {
  auto dir = std::filesystem::temp_directory_path() / "atrium-model-test";
  std::filesystem::create_directories(dir);
  auto missing = dir / "none.onnx";
  try {
    SegmentationModel m(missing);
    FAIL() << "loaded a missing model";
  } catch (const CardiacError& e) {
    EXPECT_NE(std::string(e.what()).find(missing.string()), std::string::npos) << e.what();
  }
  auto source = std::filesystem::path(ATRIUM_SOURCE_DIR) / "models/cardiac_unet.onnx";
  if (std::filesystem::exists(source)) {
    auto damaged = dir / "damaged.onnx";
    std::filesystem::copy_file(source, damaged, std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy_file(source.string() + ".json", damaged.string() + ".json",
                               std::filesystem::copy_options::overwrite_existing);
    {
      std::fstream f(damaged, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(1000);
      f.put('\x55');
    }
    try {
      SegmentationModel m(damaged);
      FAIL() << "loaded a damaged model";
    } catch (const CardiacError& e) {
      EXPECT_NE(std::string(e.what()).find("damaged"), std::string::npos) << e.what();
    }
  }
  std::filesystem::remove_all(dir);
}

namespace {
Mask fromRows(const std::vector<std::string>& rows) {
  Mask m(int(rows[0].size()), int(rows.size()), 0);
  for (int y = 0; y < m.height; ++y)
    for (int x = 0; x < m.width; ++x) {
      char c = rows[y][x];
      m.at(x, y) = c == 'L' ? kLvBlood : c == 'M' ? kLvMyocardium : c == 'R' ? kRvBlood : kBackground;
    }
  return m;
}
int componentsOf(const Mask& labels, Label l) {
  Mask m(labels.width, labels.height, 0);
  for (std::size_t i = 0; i < m.data.size(); ++i) m.data[i] = labels.data[i] == l;
  Grid<int> comp;
  return components(m, comp);
}
}  // namespace

TEST(LearnedShapeRules, OneComponentEachNoHolesRvOutside) {
  Mask m = fromRows({
      "............R.",
      ".MMMMMM..RRRR.",
      ".MLLLLM..RR.R.",
      ".ML.LLM..RRRR.",
      ".MLLL.M.......",
      ".MLLLLM...L...",
      ".MMM.MM.......",
      "..............",
      "....RR........",
  });
  applyShapeRules(m);
  EXPECT_EQ(componentsOf(m, kLvBlood), 1);
  EXPECT_EQ(componentsOf(m, kLvMyocardium), 1);
  EXPECT_EQ(componentsOf(m, kRvBlood), 1);
  EXPECT_EQ(m.at(3, 3), kLvBlood);       // a hole in the pool is pool
  EXPECT_EQ(m.at(5, 4), kLvMyocardium);  // enclosed by pool and wall, open to the pool only through the wall
  EXPECT_EQ(m.at(10, 5), kBackground);   // a stray LV island goes
  EXPECT_EQ(m.at(11, 2), kRvBlood);      // a hole in the RV is RV
  EXPECT_EQ(m.at(4, 8), kBackground);    // the smaller RV piece goes
  EXPECT_EQ(m.at(4, 6), kLvMyocardium);  // a gap in the wall is closed by a pixel of wall
  // Every neighbour of the pool is pool or wall.
  for (int y = 0; y < m.height; ++y)
    for (int x = 0; x < m.width; ++x) {
      if (m.at(x, y) != kLvBlood) continue;
      for (auto [dx, dy] : {std::pair{1, 0}, {-1, 0}, {0, 1}, {0, -1}}) {
        if (!m.inside(x + dx, y + dy)) continue;
        EXPECT_TRUE(m.at(x + dx, y + dy) == kLvBlood || m.at(x + dx, y + dy) == kLvMyocardium) << x << "," << y;
      }
    }
  Mask apex = fromRows({"......", ".MMMM.", ".M..M.", ".MMMM.", "......"});
  applyShapeRules(apex);
  EXPECT_EQ(count(apex), 0u);  // a wall without a pool is not kept
}
