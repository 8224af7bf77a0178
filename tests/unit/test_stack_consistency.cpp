// The stack rules of the learned segmenter: a slice labelled RV on the LV of the slices beside it,
// the LV pool chosen near the stack's, basal atrium dropped by the wall's coverage.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cardiac/learned_segmenter.h"
#include "cardiac/shapes.h"
#include "cardiac/stack_consistency.h"

using namespace atrium::cardiac;

namespace {

Mask rows(const std::vector<std::string>& text) {
  Mask m(int(text[0].size()), int(text.size()), 0);
  for (int y = 0; y < m.height; ++y)
    for (int x = 0; x < m.width; ++x) {
      const char c = text[y][x];
      m.at(x, y) = c == 'L' ? kLvBlood : c == 'M' ? kLvMyocardium : c == 'R' ? kRvBlood : kBackground;
    }
  return m;
}

std::size_t countOf(const Mask& m, Label l) {
  std::size_t n = 0;
  for (auto v : m.data) n += v == l;
  return n;
}

// A pool ringed by wall on the left and an RV on the right: a mid-ventricular slice.
const std::vector<std::string> kMid = {
    "..........", ".MMMM.RRR.", ".MLLM.RRR.", ".MLLM.RRR.", ".MMMM.....", "..........",
};
// The same place labelled RV, no LV: what the network did on an apical slice of an unseen patient.
const std::vector<std::string> kSwapped = {
    "..........", "..........", "..RR......", "..RR......", "..........", "..........",
};

}  // namespace

TEST(StackConsistency, RvOnTheNeighboursLvIsFound) {
  Segmentation seg = {{rows(kMid)}, {rows(kSwapped)}, {rows(kMid)}};
  auto found = rvOnNeighboursLv(seg);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0], std::make_pair(std::size_t(1), std::size_t(0)));
  // An RV beside the neighbours' pools, not on them, is an RV.
  const std::vector<std::string> rvOnly = {
      "..........", "......RRR.", "......RRR.", "......RRR.", "..........", "..........",
  };
  seg[1][0] = rows(rvOnly);
  EXPECT_TRUE(rvOnNeighboursLv(seg).empty());
  // A slice with a pool of its own is left to the network.
  seg[1][0] = rows(kMid);
  EXPECT_TRUE(rvOnNeighboursLv(seg).empty());
  // A scrap of LV beside the mislabelled pool does not hide it (seen with a large field of view).
  const std::vector<std::string> scrap = {
      "..........", "..........", "..RR......", "..RR......", "......L...", "..........",
  };
  seg[1][0] = rows(scrap);
  EXPECT_EQ(rvOnNeighboursLv(seg).size(), 1u);
}

TEST(StackConsistency, SlicesShiftedInPlaneAreComparedWhereTheyLie) {
  // The middle slice was planned on its own: its pixel (0, 0) lies 3 columns right of the others'.
  const std::vector<std::string> lv = {
      "............", "............", ".....LL.....", ".....LL.....", "............",
  };
  const std::vector<std::string> rvHere = {
      "............", "............", "..RR........", "..RR........", "............",
  };
  Segmentation seg = {{rows(lv)}, {rows(rvHere)}, {rows(lv)}};
  EXPECT_TRUE(rvOnNeighboursLv(seg).empty());  // compared pixel for pixel, the RV is beside the LV
  const std::vector<Point> offsets = {{0, 0}, {3, 0}, {0, 0}};
  ASSERT_EQ(rvOnNeighboursLv(seg, offsets).size(), 1u);  // where it lies, it is on the LV
  auto centres = poolCentres({{rows(lv)}, {rows(lv)}, {rows(lv)}}, kLvBlood, offsets);
  ASSERT_TRUE(centres[0].has_value());
  EXPECT_DOUBLE_EQ(centres[0]->x, 5.5);  // the median of 5.5, 8.5 and 5.5

  CineStack stack;
  for (int s = 0; s < 2; ++s) {
    CineImage image;
    image.rowDir = {1, 0, 0};
    image.colDir = {0, 1, 0};
    image.rowSpacing = 2.0;                         // mm between rows
    image.colSpacing = 1.5;                         // mm between columns
    image.position = {s * 4.5, s * -2.0, s * 8.0};  // 3 columns right, 1 row up, 8 mm along the normal
    stack.slices.push_back({s * 8.0, {image}});
  }
  auto o = sliceOffsets(stack);
  ASSERT_EQ(o.size(), 2u);
  EXPECT_DOUBLE_EQ(o[1].x, 3.0);
  EXPECT_DOUBLE_EQ(o[1].y, -1.0);
}

TEST(StackConsistency, PoolNearTheStackIsKept) {
  // Two pools: a large one far from where the other slices have theirs, a small one at that place.
  Mask m = rows({
      "..............",
      ".MMMM.........",
      ".MLLM.........",
      ".MMMM.........",
      "..............",
      "........LLLLL.",
      "........LLLLL.",
      "........LLLLL.",
  });
  Mask largest = m;
  applyShapeRules(largest);
  EXPECT_EQ(largest.at(9, 6), kLvBlood);
  EXPECT_EQ(largest.at(2, 2), kBackground);
  Mask near = m;
  applyShapeRules(near, PoolHints{Point{2.5, 2.0}, std::nullopt, 3.0});
  EXPECT_EQ(near.at(2, 2), kLvBlood);
  EXPECT_EQ(near.at(9, 6), kBackground);
  EXPECT_EQ(componentCount(m, kLvBlood), 2);
  EXPECT_EQ(componentCount(near, kLvBlood), 1);

  Segmentation seg = {{rows(kMid)}, {rows(kMid)}, {rows(kSwapped)}};
  auto centres = poolCentres(seg, kLvBlood);
  ASSERT_EQ(centres.size(), 1u);
  ASSERT_TRUE(centres[0].has_value());
  EXPECT_DOUBLE_EQ(centres[0]->x, 2.5);
  EXPECT_DOUBLE_EQ(centres[0]->y, 2.5);
}

TEST(StackConsistency, WallCoverageMeasuresTheNetworksRing) {
  Mask ringed = rows({"......", ".MMMM.", ".MLLM.", ".MLLM.", ".MMMM.", "......"});
  EXPECT_DOUBLE_EQ(wallCoverage(ringed, ringed), 1.0);
  // Wall on one side only (an atrium beside the outflow): a third of the outline.
  Mask open = rows({"......", ".M....", ".MLL..", ".MLL..", ".M....", "......"});
  Mask shaped = open;
  applyShapeRules(shaped);
  const double c = wallCoverage(open, shaped);
  EXPECT_GT(c, 0.2);
  EXPECT_LT(c, kBasalWallCoverage);
  EXPECT_DOUBLE_EQ(wallCoverage(rows({"...", ".R.", "..."}), rows({"...", ".R.", "..."})), -1.0);
}

TEST(StackConsistency, AtrialBaseIsDropped) {
  // Five slices, the first the base (the larger pools). Coverage per slice: the basal two under the
  // threshold, the third over it: two dropped, and no more than maxSlices.
  const std::vector<std::string> big = {
      "..........", ".MMMMMMMM.", ".MLLLLLLM.", ".MLLLLLLM.", ".MLLLLLLM.", ".MMMMMMMM.",
  };
  const std::vector<std::string> small = {
      "..........", "..........", "...MMM....", "...MLM....", "...MMM....", "..........",
  };
  Segmentation seg = {{rows(big)}, {rows(big)}, {rows(big)}, {rows(small)}, {rows(small)}};
  EXPECT_FALSE(baseIsLast(seg));
  std::vector<std::vector<double>> coverage = {{0.2}, {0.4}, {0.9}, {1.0}, {1.0}};
  Segmentation dropped = seg;
  EXPECT_EQ(dropAtrialBase(dropped, coverage), 2u);
  EXPECT_EQ(countOf(dropped[0][0], kLvBlood) + countOf(dropped[0][0], kLvMyocardium), 0u);
  EXPECT_EQ(countOf(dropped[1][0], kLvBlood), 0u);
  EXPECT_GT(countOf(dropped[2][0], kLvBlood), 0u);
  // At most maxSlices; a slice that passes stops it; the apex end is never touched.
  Segmentation once = seg;
  EXPECT_EQ(dropAtrialBase(once, coverage, 1), 1u);
  EXPECT_GT(countOf(once[1][0], kLvBlood), 0u);
  std::vector<std::vector<double>> apexLow = {{0.9}, {0.9}, {0.9}, {0.1}, {0.1}};
  Segmentation apex = seg;
  EXPECT_EQ(dropAtrialBase(apex, apexLow), 0u);
  // Reversed stack: the base is the last slice.
  Segmentation reversed = {{rows(small)}, {rows(small)}, {rows(big)}, {rows(big)}, {rows(big)}};
  EXPECT_TRUE(baseIsLast(reversed));
  std::vector<std::vector<double>> reversedCoverage = {{1.0}, {1.0}, {0.9}, {0.4}, {0.2}};
  EXPECT_EQ(dropAtrialBase(reversed, reversedCoverage), 2u);
  EXPECT_EQ(countOf(reversed[4][0], kLvBlood), 0u);
}
