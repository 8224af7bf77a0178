#include <gtest/gtest.h>

#include <cmath>

#include "cardiac/right_ventricle.h"

using namespace atrium::cardiac;

namespace {

constexpr double kPi = 3.14159265358979323846;

// A 100×100 image (1 mm pixels): the LV's pool (radius 15) and wall (to 22) round (50, 50), labelled;
// the RV a crescent on the left, darker than the LV's blood; optionally a bright blob on the right
// that reaches the wall at one point only.
struct Scene {
  Image image{100, 100, 0.1f};
  Mask labels{100, 100, kBackground};
  Scene(bool crescent, int blobLeft) {
    for (int y = 0; y < 100; ++y)
      for (int x = 0; x < 100; ++x) {
        double r = std::hypot(x - 50, y - 50);
        if (r <= 15) {
          labels.at(x, y) = kLvBlood;
          image.at(x, y) = 1.0f;
        } else if (r <= 22) {
          labels.at(x, y) = kLvMyocardium;
          image.at(x, y) = 0.3f;
        } else if (crescent && r > 23 && x < 50 && std::hypot(x - 42, y - 50) <= 34) {
          image.at(x, y) = 0.8f;
        } else if (x >= blobLeft && r > 23) {
          image.at(x, y) = 1.0f;
        }
      }
  }
  int rvLeft() const { return count(0, 50); }
  int rvRight() const { return count(50, 100); }
  int count(int x0, int x1) const {
    int n = 0;
    for (int y = 0; y < 100; ++y)
      for (int x = x0; x < x1; ++x) n += labels.at(x, y) == kRvBlood;
    return n;
  }
};

}  // namespace

TEST(RightVentricle, TheRegionAlongTheWallWinsOverALargerOneThatTouchesIt) {
  Scene s(true, 73);  // the blob (27×100 px) is larger than the crescent
  labelRightVentricle(s.image, s.labels, 1.0);
  EXPECT_GT(s.rvLeft(), 300);
  EXPECT_EQ(s.rvRight(), 0);
  // The LV's labels keep their pixels.
  EXPECT_EQ(s.labels.at(50, 50), kLvBlood);
  EXPECT_EQ(s.labels.at(50 - 18, 50), kLvMyocardium);
}

TEST(RightVentricle, TheStacksDirectionRulesOutTheOtherSide) {
  Scene s(true, 73);
  labelRightVentricle(s.image, s.labels, 1.0, 0.0);  // the stack says: to the right
  EXPECT_EQ(s.rvLeft(), 0);
  EXPECT_GT(s.rvRight(), 0);
  Scene t(true, 73);
  labelRightVentricle(t.image, t.labels, 1.0, kPi);
  EXPECT_GT(t.rvLeft(), 300);
  EXPECT_EQ(t.rvRight(), 0);
}

TEST(RightVentricle, ARegionMoreThanTwiceTheHeartIsNotTheRv) {
  Scene s(false, 0);  // everything outside the wall is bright: the chest wall's fat, not an RV
  labelRightVentricle(s.image, s.labels, 1.0);
  EXPECT_EQ(s.rvLeft() + s.rvRight(), 0);
}

TEST(RightVentricle, NoLvNoRv) {
  Scene s(true, 100);
  for (auto& v : s.labels.data) v = kBackground;
  labelRightVentricle(s.image, s.labels, 1.0);
  EXPECT_EQ(s.rvLeft() + s.rvRight(), 0);
}

TEST(RightVentricle, TheStackAgreesOnASideOrHasNone) {
  Segmentation seg(3);
  for (int k = 0; k < 3; ++k) {
    Scene s(true, 100);
    labelRightVentricle(s.image, s.labels, 1.0);
    seg[k].push_back(s.labels);
  }
  auto d = rvDirection(seg);
  ASSERT_TRUE(d.has_value());
  EXPECT_NEAR(std::abs(*d), kPi, 0.1);  // to the left
  // One slice's RV mirrored to the other side: two images point left and one right, a mean
  // resultant of a third, so the stack does not agree on a side.
  Mask mirrored = seg[1][0];
  for (int y = 0; y < 100; ++y)
    for (int x = 0; x < 100; ++x) mirrored.at(x, y) = seg[1][0].at(99 - x, y);
  seg[1][0] = mirrored;
  EXPECT_FALSE(rvDirection(seg).has_value());
  // With all three mirrored it does again: to the right.
  seg[0][0] = seg[2][0] = mirrored;
  auto e = rvDirection(seg);
  ASSERT_TRUE(e.has_value());
  EXPECT_NEAR(*e, 0.0, 0.1);
}

TEST(RightVentricle, AThinDarkLineKeepsTheFatOutside) {
  // Bright fat just beyond the crescent, separated from it by a one-pixel dark line (the RV's free
  // wall): the RV stops at the line.
  Scene s(true, 100);
  int crescent = 0;
  for (int y = 0; y < 100; ++y)
    for (int x = 0; x < 100; ++x) {
      double r = std::hypot(x - 50, y - 50), outer = std::hypot(x - 42, y - 50);
      if (x < 50 && r > 23 && outer > 34 && outer <= 35)
        s.image.at(x, y) = 0.1f;  // the line
      else if (x < 50 && r > 23 && outer > 35 && outer <= 45)
        s.image.at(x, y) = 1.2f;  // the fat
      crescent += s.image.at(x, y) == 0.8f;
    }
  labelRightVentricle(s.image, s.labels, 1.0);
  EXPECT_GT(s.rvLeft(), 0.9 * crescent);
  EXPECT_LT(s.rvLeft(), 1.1 * crescent);
}
