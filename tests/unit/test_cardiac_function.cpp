#include <gtest/gtest.h>

#include "cardiac/function.h"

using namespace atrium::cardiac;

namespace {

// Two slices 10 mm apart, 1 mm pixels, 4 phases; LV and RV pools of the given pixel counts.
struct Case {
  CineStack stack;
  Segmentation seg;
  Case(const std::vector<int>& lv, const std::vector<int>& rv) {
    stack.phases = static_cast<int>(lv.size());
    for (int s = 0; s < 2; ++s) {
      CineSlice slice;
      slice.position = 10.0 * s;
      for (int p = 0; p < stack.phases; ++p) {
        CineImage img;
        img.triggerTime = 50.0 * p;
        img.rows = img.columns = 100;  // the masks' size: checked by computeFunction
        slice.phases.push_back(img);
      }
      stack.slices.push_back(slice);
      seg.emplace_back();
      for (int p = 0; p < stack.phases; ++p) {
        Mask m(100, 100, kBackground);
        for (int i = 0; i < lv[p]; ++i) m.data[i] = kLvBlood;
        for (int i = 0; i < rv[p]; ++i) m.data[5000 + i] = kRvBlood;
        seg.back().push_back(m);
      }
    }
  }
};

}  // namespace

TEST(CardiacFunction, VolumesByDiscsAndEjectionFractions) {
  Case c({1000, 700, 400, 800}, {1200, 900, 600, 1000});
  auto r = computeFunction(c.stack, c.seg);
  EXPECT_EQ(r.edPhase, 0);
  EXPECT_EQ(r.esPhase, 2);
  EXPECT_DOUBLE_EQ(r.lvEdv, 20.0);  // 2 slices x 1000 mm2 x 10 mm
  EXPECT_DOUBLE_EQ(r.lvEsv, 8.0);
  EXPECT_DOUBLE_EQ(r.lvEf, 60.0);
  EXPECT_DOUBLE_EQ(r.rvEf, 50.0);
  EXPECT_TRUE(r.warnings.empty());
}

// LV mass = myocardial volume at ED x 1.05 g/ml (the density every CMR guideline uses), exactly.
TEST(CardiacFunction, LvMassIsMyocardialVolumeAtEdTimesTheDensity) {
  Case c({1000, 700, 400, 800}, {1200, 900, 600, 1000});
  for (auto& slice : c.seg)
    for (int p = 0; p < 4; ++p)
      for (int i = 0; i < 600 + 100 * p; ++i) slice[static_cast<std::size_t>(p)].data[2000 + i] = kLvMyocardium;
  auto r = computeFunction(c.stack, c.seg);
  ASSERT_EQ(r.edPhase, 0);
  EXPECT_DOUBLE_EQ(r.myoVolumeMl[0], 12.0);  // 2 slices x 600 mm2 x 10 mm
  EXPECT_DOUBLE_EQ(r.lvMassG, 12.6);         // 12 ml x 1.05 g/ml; the ES wall (14 ml) is not used
}

TEST(CardiacFunction, ImplausibleResultsAreFlagged) {
  // An RV that grows in systole (a neighbour taken for it) and no LV at all.
  auto rv = computeFunction(Case({1000, 700, 400, 800}, {600, 900, 1200, 1000}).stack,
                            Case({1000, 700, 400, 800}, {600, 900, 1200, 1000}).seg);
  ASSERT_EQ(rv.warnings.size(), 1u);
  EXPECT_NE(rv.warnings[0].find("RV ejection fraction -100.0 %"), std::string::npos) << rv.warnings[0];
  Case none({0, 0, 0, 0}, {0, 0, 0, 0});
  auto r = computeFunction(none.stack, none.seg);
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_EQ(r.warnings[0], "no LV found: no LV results");
}

TEST(CardiacFunction, StrokeVolumesThatDisagreeAreFlagged) {
  // LV 1000 -> 400 px (SV 12 ml), RV 1000 -> 800 px (SV 4 ml): 67 % apart.
  Case apart({1000, 700, 400, 800}, {1000, 900, 800, 900});
  auto r = computeFunction(apart.stack, apart.seg);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0].rfind("LV and RV stroke volumes differ by 8 ml (67 %)", 0), 0u) << r.warnings[0];
  // Within 30 % of each other: nothing to say.
  Case close({1000, 700, 400, 800}, {1200, 900, 700, 1000});  // SV 12 and 10 ml
  EXPECT_TRUE(computeFunction(close.stack, close.seg).warnings.empty());
}

TEST(CardiacFunction, HeartRateFromNominalIntervalOrTriggerTimes) {
  EXPECT_DOUBLE_EQ(heartRate(1000, {0, 500}), 60);  // Nominal Interval wins
  std::vector<double> times;
  for (int p = 0; p < 20; ++p) times.push_back(40.0 * p);  // 20 phases 40 ms apart: R-R 800 ms
  EXPECT_DOUBLE_EQ(heartRate(0, times), 75);
  EXPECT_EQ(heartRate(0, {0, 0, 0}), 0);  // no trigger times
  EXPECT_EQ(heartRate(0, {0}), 0);
  EXPECT_EQ(heartRate(100, {}), 0);  // 600 /min is no heart rate
}
