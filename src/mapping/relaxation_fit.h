#pragma once
// Pixel-wise relaxometry fits. Each model is linear in its amplitudes and non-linear in one time
// constant, so the fit is variable projection: for a trial time constant the amplitudes are the
// linear least-squares solution, and the time constant minimising the residual is found by a
// coarse log-spaced search refined by golden-section search. No starting values to guess, no
// divergence, a bounded number of operations per pixel (the 256² x 11 map in well under a second).
#include <vector>

namespace atrium::mapping {

enum class MapKind {
  Molli,   // inversion recovery, Look-Locker read-out: |A - B e^(-t/T1*)|, T1 = T1* (B/A - 1)
  Sasha,   // saturation recovery: A (1 - B e^(-t/T1)), T1 directly
  T2,      // T2-prepared or multi-echo spin echo: A e^(-t/T2)
  T2Star,  // multi-echo gradient echo: A e^(-t/T2*) + C (offset), or A e^(-t/T2*) on truncated echoes
};

const char* kindName(MapKind k);  // "T1 (MOLLI)", "T1 (SASHA)", "T2", "T2*"

struct FitResult {
  double valueMs = 0;  // T1, T2 or T2*
  double r2 = 0;       // coefficient of determination of the fit
  bool ok = false;     // false: no decay to fit (flat signal) or the value is out of range
};

struct FitOptions {
  bool t2StarTruncation = false;  // T2*: drop the echoes at the noise floor instead of fitting an offset
  double noiseFloor = 0;          // T2* truncation: signals at or below this are dropped
};

// times in ms (any order), signals (magnitudes); at least 3 points.
FitResult fitPixel(MapKind kind, const std::vector<double>& timesMs, const std::vector<double>& signal,
                   const FitOptions& options = {});

// The same for many pixels sharing the times: signals[p * times.size() + i]. Threads: 0 = hardware.
std::vector<FitResult> fitPixels(MapKind kind, const std::vector<double>& timesMs, const std::vector<float>& signals,
                                 const FitOptions& options = {}, unsigned threads = 0);

}  // namespace atrium::mapping
