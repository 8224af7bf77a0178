// Regional wall thickness on a phantom with a known wall: 6 pixels (9 mm) in the septal half of the
// ring, 9 pixels (13.5 mm) in the lateral half; each AHA segment of that wall measures it within 1 mm.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "cardiac/cine_stack.h"
#include "cardiac/regional_function.h"

using namespace atrium::cardiac;

namespace {

struct Phantom {
  Mask myo{96, 96, 0}, blood{96, 96, 0}, rv{96, 96, 0};
  explicit Phantom(double septal, double lateral) {
    for (int y = 0; y < 96; ++y)
      for (int x = 0; x < 96; ++x) {
        const double r = std::hypot(x - 48, y - 48);
        const double wall = x < 48 ? septal : lateral;
        blood.at(x, y) = r < 10;
        myo.at(x, y) = r >= 10 && r < 10 + wall;
        rv.at(x, y) = std::hypot(x - 20, y - 48) < 6;  // to the left: the septum faces left
      }
  }
};

}  // namespace

TEST(RegionalFunction, ThicknessPerSegmentOfAKnownWall) {
  Phantom p(6, 9);
  auto t = sliceThickness(p.myo, p.blood, p.rv, {0, -1}, SliceLevel::Mid, 1.5);
  std::map<int, double> mm(t.begin(), t.end());
  ASSERT_EQ(mm.size(), 6u);
  // Anteroseptal and inferoseptal: the septal wall; inferolateral and anterolateral: the lateral.
  EXPECT_NEAR(mm[8], 9.0, 1.0);
  EXPECT_NEAR(mm[9], 9.0, 1.0);
  EXPECT_NEAR(mm[11], 13.5, 1.0);
  EXPECT_NEAR(mm[12], 13.5, 1.0);
  // Anterior and inferior straddle both halves: in between.
  EXPECT_GT(mm[7], 9.0);
  EXPECT_LT(mm[7], 13.5);
}

TEST(RegionalFunction, ThickeningFromEdToEs) {
  Phantom ed(6, 6), es(9, 9);
  auto a = sliceThickness(ed.myo, ed.blood, ed.rv, {0, -1}, SliceLevel::Apical, 1.0);
  auto b = sliceThickness(es.myo, es.blood, es.rv, {0, -1}, SliceLevel::Apical, 1.0);
  ASSERT_EQ(a.size(), 4u);
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_NEAR(a[i].second, 6, 1) << segmentName(a[i].first);
    EXPECT_NEAR(100 * (b[i].second - a[i].second) / a[i].second, 50, 15) << segmentName(a[i].first);
  }
}
