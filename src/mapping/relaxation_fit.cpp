#include "mapping/relaxation_fit.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <thread>

#include "common/in_parallel.h"

namespace atrium::mapping {

const char* kindName(MapKind k) {
  switch (k) {
    case MapKind::Molli:
      return "T1 (MOLLI)";
    case MapKind::Sasha:
      return "T1 (SASHA)";
    case MapKind::T2:
      return "T2";
    case MapKind::T2Star:
      return "T2*";
  }
  return "?";
}

namespace {

// Signal model y ≈ a·1 + b·e(t) (withConstant) or y ≈ b·e(t), e(t) = exp(-t/tau).
struct Projection {
  double a = 0, b = 0, sse = 0;
};

Projection project(const double* t, const double* y, int n, double tau, bool withConstant) {
  double se = 0, see = 0, sy = 0, sey = 0, syy = 0;
  for (int i = 0; i < n; ++i) {
    const double e = std::exp(-t[i] / tau);
    se += e;
    see += e * e;
    sy += y[i];
    sey += e * y[i];
    syy += y[i] * y[i];
  }
  Projection p;
  if (!withConstant) {
    if (see <= 0) return {0, 0, syy};
    p.b = sey / see;
    p.sse = std::max(0.0, syy - p.b * sey);
    return p;
  }
  const double det = n * see - se * se;
  if (std::abs(det) < 1e-12) return {sy / n, 0, syy - sy * sy / n};
  p.a = (see * sy - se * sey) / det;
  p.b = (n * sey - se * sy) / det;
  p.sse = std::max(0.0, syy - p.a * sy - p.b * sey);
  return p;
}

// The tau in [lo, hi] minimising the residual: 24 log-spaced trials, then golden section
// between the neighbours of the best.
Projection bestTau(const double* t, const double* y, int n, bool withConstant, double lo, double hi, double& tau) {
  constexpr int kGrid = 24;
  const double step = std::log(hi / lo) / (kGrid - 1);
  int best = 0;
  double bestSse = 1e300;
  for (int k = 0; k < kGrid; ++k) {
    const double s = project(t, y, n, lo * std::exp(step * k), withConstant).sse;
    if (s < bestSse) bestSse = s, best = k;
  }
  double a = std::log(lo) + step * std::max(0, best - 1), b = std::log(lo) + step * std::min(kGrid - 1, best + 1);
  const double g = 0.5 * (std::sqrt(5.0) - 1);
  double c = b - g * (b - a), d = a + g * (b - a);
  double fc = project(t, y, n, std::exp(c), withConstant).sse, fd = project(t, y, n, std::exp(d), withConstant).sse;
  for (int it = 0; it < 28; ++it) {
    if (fc < fd) {
      b = d, d = c, fd = fc;
      c = b - g * (b - a);
      fc = project(t, y, n, std::exp(c), withConstant).sse;
    } else {
      a = c, c = d, fc = fd;
      d = a + g * (b - a);
      fd = project(t, y, n, std::exp(d), withConstant).sse;
    }
  }
  tau = std::exp(0.5 * (a + b));
  return project(t, y, n, tau, withConstant);
}

double totalSumOfSquares(const double* y, int n) {
  const double mean = std::accumulate(y, y + n, 0.0) / n;
  double s = 0;
  for (int i = 0; i < n; ++i) s += (y[i] - mean) * (y[i] - mean);
  return s;
}

FitResult finish(double value, double sse, const double* y, int n, double lo, double hi) {
  FitResult r;
  const double sst = totalSumOfSquares(y, n);
  if (sst <= 0 || !std::isfinite(value)) return r;
  r.valueMs = value;
  r.r2 = 1 - sse / sst;
  r.ok = value > lo && value < hi;
  return r;
}

// MOLLI: the magnitudes lose the sign of the recovery before its null. The samples (in TI order)
// up to the null are negated, the null being at or next to the smallest magnitude: the polarity
// with the smaller residual wins.
FitResult fitMolli(const double* t, const double* m, int n) {
  int minIdx = static_cast<int>(std::min_element(m, m + n) - m);
  FitResult best;
  double bestSse = 1e300;
  std::vector<double> y(m, m + n);
  for (int flipped : {minIdx, minIdx + 1}) {
    for (int i = 0; i < n; ++i) y[i] = i < flipped ? -m[i] : m[i];
    double tau = 0;
    Projection p = bestTau(t, y.data(), n, true, 10, 6000, tau);
    // y = A - B' e^(-t/T1*), with b = -B'. T1 = T1* (B'/A - 1).
    if (p.sse < bestSse && p.a > 0) {
      bestSse = p.sse;
      best = finish(tau * (-p.b / p.a - 1), p.sse, y.data(), n, 1, 10000);
    }
  }
  return best;
}

}  // namespace

FitResult fitPixel(MapKind kind, const std::vector<double>& timesMs, const std::vector<double>& signal,
                   const FitOptions& options) {
  // Sorted by time: the MOLLI polarity search needs the order.
  std::vector<std::size_t> order(timesMs.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return timesMs[a] < timesMs[b]; });
  std::vector<double> t, y;
  for (auto i : order) {
    if (kind == MapKind::T2Star && options.t2StarTruncation && signal[i] <= options.noiseFloor) continue;
    t.push_back(timesMs[i]);
    y.push_back(signal[i]);
  }
  const int n = static_cast<int>(t.size());
  if (n < 3) return {};
  double tau = 0;
  switch (kind) {
    case MapKind::Molli:
      return fitMolli(t.data(), y.data(), n);
    case MapKind::Sasha: {
      Projection p = bestTau(t.data(), y.data(), n, true, 50, 6000, tau);  // A - A·B e^(-t/T1)
      return p.a > 0 && p.b < 0 ? finish(tau, p.sse, y.data(), n, 50, 6000) : FitResult{};
    }
    case MapKind::T2: {
      Projection p = bestTau(t.data(), y.data(), n, false, 5, 2000, tau);
      return p.b > 0 ? finish(tau, p.sse, y.data(), n, 5, 2000) : FitResult{};
    }
    case MapKind::T2Star: {
      Projection p = bestTau(t.data(), y.data(), n, !options.t2StarTruncation, 0.5, 1000, tau);
      return p.b > 0 ? finish(tau, p.sse, y.data(), n, 0.5, 1000) : FitResult{};
    }
  }
  return {};
}

std::vector<FitResult> fitPixels(MapKind kind, const std::vector<double>& timesMs, const std::vector<float>& signals,
                                 const FitOptions& options, unsigned threads) {
  const std::size_t n = timesMs.size(), pixels = n ? signals.size() / n : 0;
  std::vector<FitResult> out(pixels);
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  // Blocks of 256 pixels, so that a thread is worth starting.
  constexpr std::size_t kBlock = 256;
  common::inParallel((pixels + kBlock - 1) / kBlock, threads, [&](std::size_t block, std::size_t) {
    std::vector<double> y(n);
    for (std::size_t p = block * kBlock; p < std::min(pixels, (block + 1) * kBlock); ++p) {
      for (std::size_t i = 0; i < n; ++i) y[i] = signals[p * n + i];
      out[p] = fitPixel(kind, timesMs, y, options);
    }
  });
  return out;
}

}  // namespace atrium::mapping
