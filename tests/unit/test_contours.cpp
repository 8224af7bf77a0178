#include <gtest/gtest.h>

#include <cmath>

#include "cardiac/contours.h"

using namespace atrium::cardiac;

namespace {

double area(const std::vector<PixelPoint>& p) {
  double a = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const auto &u = p[i], &v = p[(i + 1) % p.size()];
    a += u.x * v.y - v.x * u.y;
  }
  return std::abs(a) / 2;
}

std::size_t pixels(const Mask& m) {
  std::size_t n = 0;
  for (auto v : m.data) n += v != 0;
  return n;
}

}  // namespace

TEST(Contours, OneSquarePixelIsItsFourCorners) {
  Mask m(5, 5, 0);
  m.at(2, 3) = 1;
  auto o = traceOutlines(m, 0);
  ASSERT_EQ(o.size(), 1u);
  ASSERT_EQ(o[0].size(), 4u);
  EXPECT_DOUBLE_EQ(o[0][0].x, 1.5);
  EXPECT_DOUBLE_EQ(o[0][0].y, 2.5);
  EXPECT_DOUBLE_EQ(area(o[0]), 1.0);
}

TEST(Contours, AnOutlineEnclosesExactlyTheRegionsPixels) {
  // A disc with a notch and a one-pixel spur: the polygon's area is the pixel count (the volume a
  // consumer of the RT Structure Set computes is the one reported).
  Mask m(40, 40, 0);
  for (int y = 0; y < 40; ++y)
    for (int x = 0; x < 40; ++x) m.at(x, y) = std::hypot(x - 20, y - 20) <= 12 && !(x > 26 && std::abs(y - 20) < 2);
  m.at(20, 7) = 1;  // spur above the top row
  auto o = traceOutlines(m, 0);
  ASSERT_EQ(o.size(), 1u);
  EXPECT_DOUBLE_EQ(area(o[0]), double(pixels(m)));
  // Simplified to half a pixel, with fewer points, the area stays within 5 %.
  auto s = traceOutlines(m, 0.5);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_LT(s[0].size(), o[0].size());
  EXPECT_NEAR(area(s[0]), double(pixels(m)), 0.05 * double(pixels(m)));
}

TEST(Contours, DiagonalNeighboursAreSeparateRegions) {
  Mask m(6, 6, 0);
  m.at(1, 1) = m.at(2, 2) = 1;
  auto o = traceOutlines(m, 0);
  ASSERT_EQ(o.size(), 2u);
  EXPECT_DOUBLE_EQ(area(o[0]) + area(o[1]), 2.0);
}

TEST(Contours, ARegionAtTheImageEdge) {
  Mask m(4, 3, 1);  // the whole image
  auto o = traceOutlines(m, 0);
  ASSERT_EQ(o.size(), 1u);
  EXPECT_DOUBLE_EQ(area(o[0]), 12.0);
}
