// The relaxometry fits on synthetic signals with known T1/T2/T2* and Gaussian noise at SNR 50 (the
// magnitude of signal plus noise): the mean over a region of 100 pixels within 3 % of the truth (the
// issue's target) over the clinical ranges, and single pixels within 15 % on average (the noise).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "mapping/relaxation_fit.h"

using namespace atrium::mapping;

namespace {

// MOLLI 5(3)3: inversion times of two Look-Locker trains (ms).
const std::vector<double> kMolliTi = {100, 180, 260, 1100, 1180, 1260, 2100, 2180, 3100, 3180, 4100};

// The relative error of the region's mean (100 pixels, each a fresh noise draw); checks on the way
// that every pixel was fitted and that single pixels are within 15 % on average.
template <typename Signal>
double meanRelativeError(MapKind kind, const std::vector<double>& t, double truth, Signal signal, double amplitude,
                         const FitOptions& opts = {}) {
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0, amplitude / 50);  // SNR 50
  double sum = 0, pixelErr = 0;
  constexpr int kPixels = 100;
  for (int k = 0; k < kPixels; ++k) {
    std::vector<double> y;
    for (double ti : t) y.push_back(std::abs(signal(ti) + noise(rng)));
    auto r = fitPixel(kind, t, y, opts);
    EXPECT_TRUE(r.ok) << kindName(kind) << " " << truth;
    sum += r.valueMs;
    pixelErr += std::abs(r.valueMs - truth) / truth;
  }
  EXPECT_LT(pixelErr / kPixels, 0.15) << kindName(kind) << " " << truth << ": single pixels";
  return std::abs(sum / kPixels - truth) / truth;
}

}  // namespace

TEST(RelaxationFit, MolliT1WithLookLockerCorrection) {
  for (double t1 : {300.0, 600.0, 950.0, 1250.0, 1600.0}) {
    // Apparent recovery: T1* = T1 / (B/A - 1), B/A = 1.9 for a realistic Look-Locker read-out.
    const double a = 1000, b = 1900, t1Star = t1 / (b / a - 1);
    double e = meanRelativeError(
        MapKind::Molli, kMolliTi, t1, [&](double ti) { return a - b * std::exp(-ti / t1Star); }, a);
    EXPECT_LT(e, 0.03) << "T1 " << t1;
  }
}

TEST(RelaxationFit, SaturationRecoveryT1) {
  const std::vector<double> ts = {100, 200, 300, 450, 600, 800, 1000, 1500, 2500, 4000};
  for (double t1 : {300.0, 800.0, 1600.0}) {
    double e = meanRelativeError(
        MapKind::Sasha, ts, t1, [&](double t) { return 900 * (1 - 0.98 * std::exp(-t / t1)); }, 900);
    EXPECT_LT(e, 0.03) << "T1 " << t1;
  }
}

TEST(RelaxationFit, T2) {
  const std::vector<double> te = {0, 25, 55};  // T2-prepared SSFP, three preparations
  const std::vector<double> multiEcho = {10, 20, 30, 40, 50, 60, 70, 80};
  for (double t2 : {35.0, 50.0, 70.0, 100.0}) {
    EXPECT_LT(meanRelativeError(
                  MapKind::T2, multiEcho, t2, [&](double t) { return 800 * std::exp(-t / t2); }, 800),
              0.03)
        << "T2 " << t2;
    // Three points and no offset: the minimum the issue asks for; within 3 % on average too.
    EXPECT_LT(meanRelativeError(
                  MapKind::T2, te, t2, [&](double t) { return 800 * std::exp(-t / t2); }, 800),
              0.03)
        << "T2-prep " << t2;
  }
}

TEST(RelaxationFit, T2StarWithTruncationAndWithOffset) {
  std::vector<double> te;
  for (int i = 0; i < 8; ++i) te.push_back(2.6 + 2.3 * i);  // the usual 8-echo cardiac T2* series
  FitOptions trunc;
  trunc.t2StarTruncation = true;
  trunc.noiseFloor = 60;
  for (double t2s : {4.0, 8.0, 15.0, 25.0, 40.0}) {
    auto pure = [&](double t) { return 1000 * std::exp(-t / t2s); };
    EXPECT_LT(meanRelativeError(MapKind::T2Star, te, t2s, pure, 1000, trunc), 0.03) << "T2* truncation " << t2s;
  }
  // The offset model is for severe iron overload, where the signal reaches the noise floor within
  // the echo train; for long T2* the offset and the amplitude cannot be told apart.
  for (double t2s : {3.0, 5.0, 8.0}) {
    auto floor = [&](double t) { return 1000 * std::exp(-t / t2s) + 30; };
    EXPECT_LT(meanRelativeError(MapKind::T2Star, te, t2s, floor, 1000), 0.03) << "T2* offset " << t2s;
  }
}

TEST(RelaxationFit, FlatSignalsAndTooFewPointsAreNotFits) {
  EXPECT_FALSE(fitPixel(MapKind::T2, {10, 20}, {100, 50}).ok);
  EXPECT_FALSE(fitPixel(MapKind::T2, {10, 20, 30}, {0, 0, 0}).ok);
  auto r = fitPixel(MapKind::T2, {10, 20, 30}, {100, 100, 100});
  EXPECT_FALSE(r.ok && r.valueMs < 2000);
}
