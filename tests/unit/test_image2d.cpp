#include <gtest/gtest.h>

#include <cmath>

#include "cardiac/image2d.h"

using namespace atrium::cardiac;

namespace {

// The reference: three passes of a (2r+1) box mean, the window clipped at the edges.
Image slowBlur(const Image& img, int r) {
  Image cur = img;
  for (int pass = 0; pass < 3; ++pass) {
    Image tmp(img.width, img.height);
    for (int y = 0; y < img.height; ++y)
      for (int x = 0; x < img.width; ++x) {
        double s = 0;
        int n = 0;
        for (int d = -r; d <= r; ++d)
          if (x + d >= 0 && x + d < img.width) s += cur.at(x + d, y), ++n;
        tmp.at(x, y) = float(s / n);
      }
    for (int y = 0; y < img.height; ++y)
      for (int x = 0; x < img.width; ++x) {
        double s = 0;
        int n = 0;
        for (int d = -r; d <= r; ++d)
          if (y + d >= 0 && y + d < img.height) s += tmp.at(x, y + d), ++n;
        cur.at(x, y) = float(s / n);
      }
  }
  return cur;
}

}  // namespace

TEST(Blur, RunningSumsGiveTheBoxMeans) {
  Image img(23, 17);
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) img.at(x, y) = float((x * 7 + y * 13) % 11) + (x == 5 && y == 9 ? 100 : 0);
  for (int r : {1, 2, 7, 30}) {  // 30: wider than the image
    Image a = blur(img, r), b = slowBlur(img, r);
    for (std::size_t i = 0; i < a.data.size(); ++i) ASSERT_NEAR(a.data[i], b.data[i], 1e-4) << "r " << r << " at " << i;
  }
  Image flat(9, 9, 3.5f);
  for (float v : blur(flat, 2).data) EXPECT_FLOAT_EQ(v, 3.5f);
  EXPECT_EQ(blur(img, 0).data, img.data);
}

TEST(FillHoles, HolesInsideAreFilledAndOpeningsKept) {
  Mask m(12, 10, 0);
  for (int y = 2; y <= 7; ++y)
    for (int x = 2; x <= 8; ++x) m.at(x, y) = (x == 2 || x == 8 || y == 2 || y == 7);  // a ring
  m.at(5, 5) = 1;                                                                      // an island in the hole
  Mask u(12, 10, 0);  // a U open at the top: not a hole
  for (int y = 2; y <= 7; ++y) u.at(2, y) = u.at(6, y) = 1;
  for (int x = 2; x <= 6; ++x) u.at(x, 7) = 1;
  fillHoles(m);
  for (int y = 2; y <= 7; ++y)
    for (int x = 2; x <= 8; ++x) EXPECT_EQ(m.at(x, y), 1) << x << "," << y;
  EXPECT_EQ(m.at(1, 1), 0);
  EXPECT_EQ(m.at(9, 8), 0);
  Mask before = u;
  fillHoles(u);
  EXPECT_EQ(u.data, before.data);
}

TEST(FillHoles, AtTheImageBorder) {
  // A ring whose sides are the image's edges, and a U whose arms end at the top edge.
  Mask ring(6, 5, 1);
  for (int y = 1; y <= 3; ++y)
    for (int x = 1; x <= 4; ++x) ring.at(x, y) = 0;
  fillHoles(ring);
  for (auto v : ring.data) EXPECT_EQ(v, 1);
  Mask u(5, 4, 0);
  for (int y = 0; y <= 3; ++y) u.at(0, y) = u.at(4, y) = 1;
  for (int x = 0; x <= 4; ++x) u.at(x, 3) = 1;
  Mask before = u;
  fillHoles(u);
  EXPECT_EQ(u.data, before.data);
  Mask empty(4, 4, 0);
  fillHoles(empty);
  for (auto v : empty.data) EXPECT_EQ(v, 0);
}
