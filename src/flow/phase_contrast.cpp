#include "flow/phase_contrast.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "cardiac/geometry.h"

namespace atrium::flow {

using cardiac::MrImage;

bool isPhaseImage(const MrImage& img) { return cardiac::isPhaseImageType(img.imageType); }

std::vector<PcAcquisition> selectPhaseContrast(const std::vector<MrImage>& images, std::optional<double> vencCmS) {
  if (images.empty()) throw FlowError("no MR image found");
  std::map<long long, std::vector<const MrImage*>> bySlice;
  for (const auto& img : images) {
    const cardiac::Vec3 n = cardiac::cross(img.rowDir, img.colDir);
    bySlice[std::llround(cardiac::dot(img.position, n) * 10)].push_back(&img);
  }
  std::vector<PcAcquisition> out;
  for (auto& [pos, imgs] : bySlice) {
    PcAcquisition a;
    for (const auto* i : imgs)
      if (isPhaseImage(*i)) a.phase.push_back(*i);
    if (a.phase.empty()) continue;  // a cine or map slice of the same study
    // The magnitude images: the phase images' own series, else a series with one image per phase
    // (other images at this position, a cine slice say, are not part of the acquisition).
    std::map<std::string, std::vector<const MrImage*>> magnitudeBySeries;
    for (const auto* i : imgs)
      if (!isPhaseImage(*i)) magnitudeBySeries[i->seriesUid].push_back(i);
    const std::vector<const MrImage*>* chosen = nullptr;
    if (auto same = magnitudeBySeries.find(a.phase.front().seriesUid); same != magnitudeBySeries.end())
      chosen = &same->second;
    for (const auto& [series, list] : magnitudeBySeries)
      if (!chosen && list.size() == a.phase.size()) chosen = &list;
    if (chosen)
      for (const auto* i : *chosen) a.magnitude.push_back(*i);
    auto byTime = [](const MrImage& x, const MrImage& y) {
      return x.triggerTime != y.triggerTime ? x.triggerTime < y.triggerTime : x.instanceNumber < y.instanceNumber;
    };
    std::sort(a.phase.begin(), a.phase.end(), byTime);
    std::sort(a.magnitude.begin(), a.magnitude.end(), byTime);
    if (a.phase.size() < 3) throw FlowError("fewer than 3 cardiac phases (" + std::to_string(a.phase.size()) + ")");
    if (!a.magnitude.empty() && a.magnitude.size() != a.phase.size())
      throw FlowError(std::to_string(a.magnitude.size()) + " magnitude and " + std::to_string(a.phase.size()) +
                      " phase images: they must pair up phase by phase");
    for (const auto& m : a.magnitude)
      if (m.rows != a.phase[0].rows || m.columns != a.phase[0].columns)
        throw FlowError("mixed geometry: magnitude and phase images differ in size");
    const MrImage& p0 = a.phase.front();
    a.description = p0.seriesDescription;
    if (p0.vencCmS) {
      a.vencCmS = *p0.vencCmS;
      a.vencSource = p0.vencSource;
    } else if (vencCmS) {
      a.vencCmS = *vencCmS;
      a.vencSource = "--venc";
    } else if (!p0.rwvmUnits.empty() && p0.rwvmUnits == "cm/s") {
      a.vencSource = "Real World Value Mapping (cm/s)";
    } else {
      throw FlowError("unknown VENC: no (0018,9197) velocity encoding, no vendor element, no --venc CM_S");
    }
    const std::size_t n = a.phase.size();
    const double span = a.phase.back().triggerTime - a.phase.front().triggerTime;
    a.phaseDurationMs = span > 0 ? span / double(n - 1) : 0;
    a.rrMs = p0.nominalIntervalMs > 0 ? p0.nominalIntervalMs : a.phaseDurationMs * double(n);
    if (a.phaseDurationMs <= 0) {
      if (a.rrMs <= 0) throw FlowError("no trigger times and no Nominal Interval: the phases have no timing");
      a.phaseDurationMs = a.rrMs / double(n);
    }
    out.push_back(std::move(a));
  }
  if (out.empty())
    throw FlowError("no phase image (Image Type value P, PHASE or VELOCITY) among " + std::to_string(images.size()) +
                    " MR images");
  return out;
}

cardiac::Image velocities(const MrImage& img, const std::vector<float>& rescaled, double vencCmS) {
  cardiac::Image v(img.columns, img.rows);
  if (img.rwvmSlope && img.rwvmUnits == "cm/s") {
    const double s = img.rescaleSlope != 0 ? img.rescaleSlope : 1;
    for (std::size_t i = 0; i < v.data.size(); ++i) {
      const double stored = (rescaled[i] - img.rescaleIntercept) / s;
      v.data[i] = static_cast<float>(stored * *img.rwvmSlope + img.rwvmIntercept.value_or(0));
    }
    return v;
  }
  const double storedLo = img.signedPixels ? -std::ldexp(1.0, img.bitsStored - 1) : 0;
  const double storedHi = img.signedPixels ? std::ldexp(1.0, img.bitsStored - 1) : std::ldexp(1.0, img.bitsStored);
  double lo = storedLo * img.rescaleSlope + img.rescaleIntercept,
         hi = storedHi * img.rescaleSlope + img.rescaleIntercept;
  if (lo > hi) std::swap(lo, hi);
  const double mid = (lo + hi) / 2, half = (hi - lo) / 2;
  for (std::size_t i = 0; i < v.data.size(); ++i) v.data[i] = static_cast<float>((rescaled[i] - mid) / half * vencCmS);
  return v;
}

}  // namespace atrium::flow
