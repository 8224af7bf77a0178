#include <gtest/gtest.h>

#include <cmath>

#include "cardiac/temporal_consistency.h"

using namespace atrium::cardiac;

namespace {

// A slice's LV area over a cycle of 20 phases: 400 pixels at ED, 200 at ES (phase 10).
std::vector<double> cycle() {
  std::vector<double> a;
  for (int p = 0; p < 20; ++p) a.push_back(300 + 100 * std::cos(2 * 3.14159265358979 * p / 20));
  return a;
}

// Labels whose LV blood pool is the first `area` pixels of a 40×40 image.
Mask pool(int area) {
  Mask m(40, 40, kBackground);
  for (int i = 0; i < area; ++i) m.data[i] = kLvBlood;
  return m;
}

}  // namespace

TEST(TemporalConsistency, ASmoothCycleHasNoInconsistentPhase) {
  for (bool bad : inconsistentPhases(cycle())) EXPECT_FALSE(bad);
}

TEST(TemporalConsistency, MissedPoolsAndLeaksAreFound) {
  auto a = cycle();
  a[3] = 0;      // missed
  a[0] = 700;    // leaked into the atrium
  a[10] *= 1.2;  // within the tolerance of its neighbours
  auto bad = inconsistentPhases(a);
  for (int p = 0; p < 20; ++p) EXPECT_EQ(bad[p], p == 0 || p == 3) << "phase " << p;
}

TEST(TemporalConsistency, SlicesWithAPoolInFewPhasesAreLeftAlone) {
  std::vector<double> a(20, 0);
  for (int p = 0; p < 8; ++p) a[p] = 100;  // the base, in the plane for part of the cycle only
  a[2] = 400;
  for (bool bad : inconsistentPhases(a)) EXPECT_FALSE(bad);
}

TEST(TemporalConsistency, ARunOfMissedPhasesIsFilledFromItsNeighboursOutwards) {
  auto a = cycle();
  Segmentation seg(1);
  for (int p = 0; p < 20; ++p) seg[0].push_back(pool(p >= 8 && p <= 12 ? 0 : int(a[p])));
  std::vector<int> guides(20, -1);
  int replaced = enforceTemporalConsistency(seg, [&](int, int p, const Mask& guide) {
    int guideArea = 0;
    for (auto v : guide.data) guideArea += v == kLvBlood;
    guides[p] = guideArea;
    return pool(int(a[p]));  // the guided method finds the true pool
  });
  EXPECT_EQ(replaced, 5);
  for (int p = 8; p <= 12; ++p) {
    int area = 0;
    for (auto v : seg[0][p].data) area += v == kLvBlood;
    EXPECT_EQ(area, int(a[p])) << "phase " << p;
    EXPECT_GT(guides[p], 0) << "phase " << p << " had no pool to be guided by";
  }
  EXPECT_EQ(guides[7], -1);  // consistent phases are not touched
}

TEST(TemporalConsistency, AGuidedResultFarFromItsGuideIsRefused) {
  auto a = cycle();
  Segmentation seg(1);
  for (int p = 0; p < 20; ++p) seg[0].push_back(pool(p == 5 ? 0 : int(a[p])));
  int replaced = enforceTemporalConsistency(seg, [&](int, int, const Mask&) { return pool(1000); });
  EXPECT_EQ(replaced, 0);
  for (auto v : seg[0][5].data) EXPECT_EQ(v, kBackground);
}

namespace {

// Labels with an RV of `area` pixels (rows from the top) and, from `leakFrom` on, a far-off part.
Mask withRv(int area, int leak = 0) {
  Mask m(40, 40, kBackground);
  for (int i = 0; i < area; ++i) m.data[i] = kRvBlood;
  for (int i = 0; i < leak; ++i) m.data[m.data.size() - 1 - i] = kRvBlood;
  return m;
}

int rvPixels(const Mask& m) {
  int n = 0;
  for (auto v : m.data) n += v == kRvBlood;
  return n;
}

}  // namespace

TEST(RvOverCycle, AnRvInFewPhasesIsDropped) {
  Segmentation seg(1);
  for (int p = 0; p < 20; ++p) seg[0].push_back(withRv(p % 3 == 0 ? 400 : 0));  // 7 of 20 phases
  cleanRvOverCycle(seg, 2);
  for (const auto& m : seg[0]) EXPECT_EQ(rvPixels(m), 0);
}

TEST(RvOverCycle, AnRvInOnePhaseBetweenTwoWithoutIsDropped) {
  auto a = cycle();
  Segmentation seg(1);
  for (int p = 0; p < 20; ++p) seg[0].push_back(withRv(p >= 8 && p <= 12 && p != 10 ? 0 : int(a[p])));
  cleanRvOverCycle(seg, 2);
  EXPECT_EQ(rvPixels(seg[0][10]), 0);         // alone between phases 9 and 11
  EXPECT_EQ(rvPixels(seg[0][7]), int(a[7]));  // the others stay
  EXPECT_EQ(rvPixels(seg[0][13]), int(a[13]));
}

TEST(RvOverCycle, AnRvThatBarelyContractsIsKept) {
  Segmentation seg(1);
  for (int p = 0; p < 20; ++p) seg[0].push_back(withRv(400 + (p % 3) * 10));  // within 5 %
  cleanRvOverCycle(seg, 2);
  for (const auto& m : seg[0]) EXPECT_GT(rvPixels(m), 0);
}

TEST(RvOverCycle, ALeakIsCutBackToTheNeighbouringPhase) {
  auto a = cycle();
  Segmentation seg(1);
  for (int p = 0; p < 20; ++p) seg[0].push_back(withRv(int(a[p]), p == 6 ? 300 : 0));
  cleanRvOverCycle(seg, 2);
  EXPECT_EQ(rvPixels(seg[0][6]), int(a[6]));  // the far-off part went, the RV stayed
  for (int p = 0; p < 20; ++p) {
    if (p == 6) continue;
    EXPECT_EQ(rvPixels(seg[0][p]), int(a[p])) << "phase " << p;
  }
}

namespace {

constexpr double kTwoPi = 2 * 3.14159265358979;

// Slices whose LV pools at ED (phase 0) have the given areas and shrink to half at ES (phase 10).
Segmentation stack(const std::vector<double>& atEd) {
  Segmentation seg(atEd.size());
  for (std::size_t s = 0; s < atEd.size(); ++s)
    for (int p = 0; p < 20; ++p) seg[s].push_back(pool(int(atEd[s] * (0.75 + 0.25 * std::cos(kTwoPi * p / 20)))));
  return seg;
}

int lvPixels(const Mask& m) { return int(std::count(m.data.begin(), m.data.end(), std::uint8_t(kLvBlood))); }

}  // namespace

TEST(SliceConsistency, ABasalPoolThatOutgrowsItsNeighbourInSystoleIsSegmentedAgain) {
  auto seg = stack({300, 400, 350, 300});  // slice 1 the widest
  seg[3][10] = pool(500);                  // the outflow tract taken in at ES
  std::vector<std::pair<int, int>> asked;
  int replaced = enforceSliceConsistency(seg, [&](int s, int p, const Mask& guide) {
    asked.emplace_back(s, p);
    EXPECT_EQ(lvPixels(guide), lvPixels(seg[2][10]));  // guided by the inner neighbour, same phase
    return pool(160);
  });
  EXPECT_EQ(replaced, 1);
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0], std::make_pair(3, 10));
  EXPECT_EQ(lvPixels(seg[3][10]), 160);
}

TEST(SliceConsistency, ANewResultThatIsNoCloserIsNotKept) {
  auto seg = stack({300, 400, 350, 300});
  seg[3][10] = pool(500);
  EXPECT_EQ(enforceSliceConsistency(seg, [](int, int, const Mask&) { return pool(700); }), 0);
  EXPECT_EQ(lvPixels(seg[3][10]), 500);
}

TEST(SliceConsistency, APoolLargerThanItsNeighbourAtEveryPhaseIsGeometry) {
  // Slice 0 is 2.5 times slice 1 throughout (an oblique stack cutting the ventricle's wall): no
  // phase stands out against the end-diastolic ratio.
  auto seg = stack({500, 200, 300, 600});
  int calls = 0;
  EXPECT_EQ(enforceSliceConsistency(seg,
                                    [&](int, int, const Mask&) {
                                      ++calls;
                                      return pool(1);
                                    }),
            0);
  EXPECT_EQ(calls, 0);
}
