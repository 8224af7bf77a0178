#pragma once
// Through-plane phase-contrast acquisitions: the magnitude and phase images of each slice (found
// by Image Type, in one series or two), in cardiac-phase order, the VENC, and the conversion of
// phase pixel values to velocities.
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cardiac/image2d.h"
#include "cardiac/mr_images.h"

namespace atrium::flow {

// Bad input (no phase image, unknown VENC, too few phases...): one line naming what is missing.
struct FlowError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct PcAcquisition {
  std::vector<cardiac::MrImage> magnitude;  // per phase; empty when only phase images were given
  std::vector<cardiac::MrImage> phase;      // per phase, trigger-time order
  double vencCmS = 0;
  std::string vencSource;
  std::string description;  // the series description (names the vessel on some scanners)
  double rrMs = 0;          // the cardiac cycle: Nominal Interval, else phases x trigger spacing
  double phaseDurationMs = 0;
};

bool isPhaseImage(const cardiac::MrImage& img);

// One acquisition per slice position. venc: used when no header names it. Throws FlowError.
std::vector<PcAcquisition> selectPhaseContrast(const std::vector<cardiac::MrImage>& images,
                                               std::optional<double> vencCmS);

// Velocities (cm/s, through-plane) of one phase image: a Real World Value Mapping in cm/s when the
// image has one, else the stored range (after Rescale Slope/Intercept) spans -VENC..+VENC.
cardiac::Image velocities(const cardiac::MrImage& img, const std::vector<float>& rescaled, double vencCmS);

}  // namespace atrium::flow
