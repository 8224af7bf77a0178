// AHA segment assignment on a synthetic ring: the septum where the RV is, anterior towards the
// patient's front, six 60° segments at base and mid, four at the apex, whatever the image's
// orientation (the RV on the left or the right of the image, anterior up or down).
#include <gtest/gtest.h>

#include <cmath>

#include "cardiac/aha_segments.h"
#include "cardiac/cine_stack.h"

using namespace atrium::cardiac;

namespace {

struct Ring {
  Mask myo{64, 64, 0}, blood{64, 64, 0}, rv{64, 64, 0};
  Ring(int rvColumn) {
    for (int y = 0; y < 64; ++y)
      for (int x = 0; x < 64; ++x) {
        const double r = std::hypot(x - 32, y - 32);
        myo.at(x, y) = r > 8 && r < 14;
        blood.at(x, y) = r <= 8;
        rv.at(x, y) = std::hypot(x - rvColumn, y - 32) < 5;
      }
  }
};

// The segment at an angle (degrees, image x right, y down) on the ring's mid-wall.
int at(const Grid<int>& g, double degrees) {
  const double a = degrees * M_PI / 180;
  return g.at(static_cast<int>(std::lround(32 + 11 * std::cos(a))),
              static_cast<int>(std::lround(32 + 11 * std::sin(a))));
}

}  // namespace

TEST(AhaSegments, MidSliceRvLeftAnteriorUp) {
  Ring ring(10);  // RV at the image's left: the septum faces left (180°)
  auto g = assignSegments({&ring.myo, &ring.blood, &ring.rv, {0, -1}}, SliceLevel::Mid);
  // Up (-y) is anterior: from the septum (180°) towards anterior (270° in image angles).
  EXPECT_EQ(at(g, 180 + 30), 8);  // anteroseptal
  EXPECT_EQ(at(g, 180 - 30), 9);  // inferoseptal
  EXPECT_EQ(at(g, 270), 7);       // anterior
  EXPECT_EQ(at(g, 90), 10);       // inferior
  EXPECT_EQ(at(g, 30), 11);       // inferolateral
  EXPECT_EQ(at(g, -30), 12);      // anterolateral
  EXPECT_EQ(g.at(32, 32), 0);     // blood is not myocardium
}

TEST(AhaSegments, MirroredImageAndBasalAndApical) {
  Ring ring(54);  // RV at the right, anterior down (a flipped image)
  auto basal = assignSegments({&ring.myo, &ring.blood, &ring.rv, {0, 1}}, SliceLevel::Basal);
  EXPECT_EQ(at(basal, 0 + 30), 2);  // septum at 0°, anterior towards +y (90°)
  EXPECT_EQ(at(basal, 0 - 30), 3);
  EXPECT_EQ(at(basal, 90), 1);
  EXPECT_EQ(at(basal, 180 + 30), 5);
  auto apical = assignSegments({&ring.myo, &ring.blood, &ring.rv, {0, 1}}, SliceLevel::Apical);
  EXPECT_EQ(at(apical, 0), 14);    // septal
  EXPECT_EQ(at(apical, 90), 13);   // anterior
  EXPECT_EQ(at(apical, 180), 16);  // lateral
  EXPECT_EQ(at(apical, 270), 15);  // inferior
}

TEST(AhaSegments, WithoutRvTheSeptumIsUnknown) {
  Ring ring(10);
  Mask none(64, 64, 0);
  EXPECT_THROW(assignSegments({&ring.myo, &ring.blood, &none, {0, -1}}, SliceLevel::Mid), CardiacError);
}
