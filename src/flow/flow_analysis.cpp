#include "flow/flow_analysis.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <numeric>

#include "cardiac/contours.h"
#include "cardiac/geometry.h"

namespace atrium::flow {
namespace {

using cardiac::Image;
using cardiac::Mask;
using cardiac::operator*;
using cardiac::operator+;

float percentile(std::vector<float> v, double q) {
  if (v.empty()) return 0;
  const std::size_t k = std::min(v.size() - 1, static_cast<std::size_t>(q * (v.size() - 1)));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

// a + b·x + c·y by least squares over the mask (normal equations, 3x3).
std::array<double, 3> fitPlane(const Image& values, const Mask& mask) {
  double m[3][4] = {};
  for (int y = 0; y < values.height; ++y)
    for (int x = 0; x < values.width; ++x) {
      if (!mask.at(x, y)) continue;
      const double f[3] = {1, double(x), double(y)}, v = values.at(x, y);
      for (int i = 0; i < 3; ++i) {
        for (int j = 0; j < 3; ++j) m[i][j] += f[i] * f[j];
        m[i][3] += f[i] * v;
      }
    }
  for (int i = 0; i < 3; ++i) {  // Gauss-Jordan with partial pivoting
    int p = i;
    for (int r = i + 1; r < 3; ++r)
      if (std::abs(m[r][i]) > std::abs(m[p][i])) p = r;
    for (int c = 0; c < 4; ++c) std::swap(m[i][c], m[p][c]);
    if (std::abs(m[i][i]) < 1e-9) return {0, 0, 0};
    for (int r = 0; r < 3; ++r) {
      if (r == i) continue;
      const double k = m[r][i] / m[i][i];
      for (int c = i; c < 4; ++c) m[r][c] -= k * m[i][c];
    }
  }
  return {m[0][3] / m[0][0], m[1][3] / m[1][1], m[2][3] / m[2][2]};
}

struct Blob {
  double cx = 0, cy = 0, radius = 0, score = 0;
};

// Round, pulsatile regions of the pulsatility image (the velocity's temporal SD within tissue).
std::vector<Blob> findVessels(const Image& pulsatility, const Mask& tissue, double pixelAreaMm2) {
  std::vector<float> values;
  for (std::size_t i = 0; i < pulsatility.data.size(); ++i)
    if (tissue.data[i]) values.push_back(pulsatility.data[i]);
  if (values.empty()) return {};
  const float threshold = std::max(cardiac::otsu(values), 2 * percentile(values, 0.5));
  Mask candidates(pulsatility.width, pulsatility.height, 0);
  for (std::size_t i = 0; i < pulsatility.data.size(); ++i)
    candidates.data[i] = tissue.data[i] && pulsatility.data[i] > threshold;
  cardiac::Grid<int> labels;
  const int count = cardiac::components(candidates, labels);
  std::vector<Blob> blobs(count + 1);
  std::vector<double> area(count + 1, 0), sum(count + 1, 0), sx(count + 1, 0), sy(count + 1, 0);
  std::vector<int> perimeter(count + 1, 0);
  for (int y = 0; y < labels.height; ++y)
    for (int x = 0; x < labels.width; ++x) {
      const int l = labels.at(x, y);
      if (!l) continue;
      area[l] += 1;
      sum[l] += pulsatility.at(x, y);
      sx[l] += x;
      sy[l] += y;
      const bool edge = x == 0 || y == 0 || x == labels.width - 1 || y == labels.height - 1 ||
                        labels.at(x - 1, y) != l || labels.at(x + 1, y) != l || labels.at(x, y - 1) != l ||
                        labels.at(x, y + 1) != l;
      perimeter[l] += edge;
    }
  std::vector<Blob> out;
  for (int l = 1; l <= count; ++l) {
    const double mm2 = area[l] * pixelAreaMm2;
    if (mm2 < 20 || mm2 > 3000) continue;  // from a small artery to a dilated aorta
    Blob b;
    b.cx = sx[l] / area[l];
    b.cy = sy[l] / area[l];
    b.radius = std::sqrt(area[l] / M_PI);
    // Edge pixels approximate the perimeter: a disk of area A has about 2·sqrt(pi·A) of them.
    const double roundness = std::min(1.0, 2 * std::sqrt(M_PI * area[l]) / std::max(1, perimeter[l]));
    b.score = sum[l] / area[l] * std::sqrt(area[l]) * roundness * roundness;
    out.push_back(b);
  }
  std::sort(out.begin(), out.end(), [](const Blob& a, const Blob& b) { return a.score > b.score; });
  std::vector<Blob> kept;
  for (const auto& b : out)
    if (kept.size() < 2 && b.score >= 0.2 * out.front().score) kept.push_back(b);
  return kept;
}

// The lumen at one phase: from the seed, the connected bright region of the magnitude image within
// 1.6 radii (the threshold halfway between the lumen's core and its surroundings).
Mask lumen(const Image& magnitude, double cx, double cy, double radius) {
  std::vector<float> inner, outer;
  for (int y = int(cy - 2.4 * radius) - 1; y <= int(cy + 2.4 * radius) + 1; ++y)
    for (int x = int(cx - 2.4 * radius) - 1; x <= int(cx + 2.4 * radius) + 1; ++x) {
      if (!magnitude.inside(x, y)) continue;
      const double d = std::hypot(x - cx, y - cy);
      if (d <= 0.5 * radius) inner.push_back(magnitude.at(x, y));
      if (d >= 1.6 * radius && d <= 2.2 * radius) outer.push_back(magnitude.at(x, y));
    }
  Mask m(magnitude.width, magnitude.height, 0);
  if (inner.empty()) return m;
  const float threshold = 0.5f * (cardiac::median(inner) + (outer.empty() ? 0.f : cardiac::median(outer)));
  Mask candidate(magnitude.width, magnitude.height, 0);
  for (int y = 0; y < m.height; ++y)
    for (int x = 0; x < m.width; ++x)
      candidate.at(x, y) = std::hypot(x - cx, y - cy) <= 1.6 * radius && magnitude.at(x, y) >= threshold;
  cardiac::Grid<int> labels;
  cardiac::components(candidate, labels);
  const int sx = std::clamp(int(std::lround(cx)), 0, m.width - 1),
            sy = std::clamp(int(std::lround(cy)), 0, m.height - 1);
  int want = labels.at(sx, sy);
  if (!want) {  // the seed fell on a dark pixel: the largest piece
    std::vector<int> sizes;
    for (int l : labels.data) {
      if (l >= int(sizes.size())) sizes.resize(l + 1, 0);
      ++sizes[l];
    }
    for (int l = 1; l < int(sizes.size()); ++l)
      if (!want || sizes[l] > sizes[want]) want = l;
  }
  for (std::size_t i = 0; i < m.data.size(); ++i) m.data[i] = want && labels.data[i] == want;
  cardiac::fillHoles(m);
  return m;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

FlowResult analyzeFlow(const PcAcquisition& a, const std::vector<Seed>& seeds) {
  FlowResult result;
  const std::size_t n = a.phase.size();
  const cardiac::MrImage& ref = a.phase.front();
  const double pixelMm2 = ref.rowSpacing * ref.colSpacing;
  cardiac::PixelReader reader;
  std::vector<Image> vel, mag;
  for (std::size_t t = 0; t < n; ++t) {
    vel.push_back(velocities(a.phase[t], reader.read(a.phase[t]), a.vencCmS));
    result.timesMs.push_back(a.phase[t].triggerTime);
    if (!a.magnitude.empty()) {
      Image m(ref.columns, ref.rows);
      m.data = reader.read(a.magnitude[t]);
      mag.push_back(std::move(m));
    }
  }
  const int w = ref.columns, h = ref.rows;
  // Without magnitude images the speed image stands in for the anatomy.
  if (mag.empty()) {
    result.warnings.push_back("no magnitude images: the vessel is outlined on the velocity images");
    for (const auto& v : vel) {
      Image m(w, h);
      for (std::size_t i = 0; i < m.data.size(); ++i) m.data[i] = std::abs(v.data[i]);
      mag.push_back(std::move(m));
    }
  }
  Image meanMag(w, h, 0), meanVel(w, h, 0), sdVel(w, h, 0);
  for (std::size_t t = 0; t < n; ++t)
    for (std::size_t i = 0; i < meanMag.data.size(); ++i) {
      meanMag.data[i] += mag[t].data[i] / n;
      meanVel.data[i] += vel[t].data[i] / n;
    }
  for (std::size_t t = 0; t < n; ++t)
    for (std::size_t i = 0; i < sdVel.data.size(); ++i)
      sdVel.data[i] += (vel[t].data[i] - meanVel.data[i]) * (vel[t].data[i] - meanVel.data[i]) / n;
  for (auto& v : sdVel.data) v = std::sqrt(v);
  // Tissue: signal above a fifth of the bright tissue (air's phase is noise). Static tissue: the
  // tissue whose velocity varies least over the cycle.
  const float bright = percentile(meanMag.data, 0.99);
  Mask tissue(w, h, 0);
  std::vector<float> tissueSd;
  for (std::size_t i = 0; i < tissue.data.size(); ++i)
    if (meanMag.data[i] > 0.2f * bright) {
      tissue.data[i] = 1;
      tissueSd.push_back(sdVel.data[i]);
    }
  if (tissueSd.size() < 50) throw FlowError("too little tissue signal in the magnitude images to measure flow");
  const float stillSd = percentile(tissueSd, 0.4);
  Mask still(w, h, 0);
  for (std::size_t i = 0; i < still.data.size(); ++i) still.data[i] = tissue.data[i] && sdVel.data[i] <= stillSd;
  const auto plane = fitPlane(meanVel, still);
  double offsetSum = 0;
  for (std::size_t t = 0; t < n; ++t)
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) vel[t].at(x, y) -= static_cast<float>(plane[0] + plane[1] * x + plane[2] * y);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) offsetSum += plane[0] + plane[1] * x + plane[2] * y;
  result.backgroundOffsetCmS = offsetSum / (double(w) * h);

  // The vessels: seeds as given, else found.
  std::vector<Blob> blobs;
  if (seeds.empty()) {
    blobs = findVessels(cardiac::blur(sdVel, 1), tissue, pixelMm2);
    if (blobs.empty()) throw FlowError("no pulsatile vessel found: give --seed ROW,COLUMN");
  } else {
    for (const auto& s : seeds) {
      if (s.row < 0 || s.column < 0 || s.row >= h || s.column >= w)
        throw FlowError("--seed " + std::to_string(s.row) + "," + std::to_string(s.column) + " is outside the " +
                        std::to_string(w) + "x" + std::to_string(h) + " image");
      // The radius: the bright region around the seed on the mean magnitude, up to 25 mm.
      Mask m = lumen(meanMag, s.column, s.row, 25 / std::sqrt(pixelMm2) / 1.6);
      Blob b;
      b.cx = s.column;
      b.cy = s.row;
      b.radius = std::max(2.0, std::sqrt(double(cardiac::count(m)) / M_PI));
      blobs.push_back(b);
    }
  }
  const cardiac::Vec3 normal = cardiac::cross(ref.rowDir, ref.colDir);
  for (std::size_t k = 0; k < blobs.size(); ++k) {
    VesselFlow vf;
    double cx = blobs[k].cx, cy = blobs[k].cy;
    vf.seed = {int(std::lround(cy)), int(std::lround(cx))};
    std::vector<double> flows;
    std::vector<std::vector<float>> roiVelocities;
    double previousMedian = 0;
    for (std::size_t t = 0; t < n; ++t) {
      Mask roi = lumen(mag[t], cx, cy, blobs[k].radius);
      if (cardiac::count(roi) < 3) roi = lumen(meanMag, blobs[k].cx, blobs[k].cy, blobs[k].radius);
      std::vector<float> v;
      for (std::size_t i = 0; i < roi.data.size(); ++i)
        if (roi.data[i]) v.push_back(vel[t].data[i]);
      // Aliasing: a pixel more than VENC from the lumen's median has wrapped once; the whole lumen
      // has when its median jumps by more than VENC from the previous phase.
      double med = cardiac::median(v);
      if (t > 0 && std::abs(med - previousMedian) > a.vencCmS) {
        const double shift = med > previousMedian ? -2 * a.vencCmS : 2 * a.vencCmS;
        for (auto& x : v) x += static_cast<float>(shift);
        med += shift;
        vf.unwrappedPixels += static_cast<int>(v.size());
      }
      for (auto& x : v)
        if (std::abs(x - med) > a.vencCmS) {
          x += static_cast<float>(x > med ? -2 * a.vencCmS : 2 * a.vencCmS);
          ++vf.unwrappedPixels;
        }
      previousMedian = cardiac::median(v);
      VesselPhase ph;
      ph.areaMm2 = v.size() * pixelMm2;
      double sum = 0, sx = 0, sy = 0, cnt = 0;
      for (float x : v) sum += x;
      ph.flowMlS = sum * pixelMm2 / 100.0;  // cm/s x cm²
      ph.meanVelocityCmS = v.empty() ? 0 : sum / v.size();
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
          if (roi.at(x, y)) sx += x, sy += y, cnt += 1;
      if (cnt > 0) cx = sx / cnt, cy = sy / cnt;  // tracking: the next phase starts here
      auto outlines = cardiac::traceOutlines(roi);
      if (!outlines.empty())
        for (const auto& pt : outlines.front()) ph.contour.emplace_back(pt.x, pt.y);
      flows.push_back(ph.flowMlS);
      roiVelocities.push_back(std::move(v));
      vf.phases.push_back(std::move(ph));
    }
    // Forward: the direction of the largest flow of the cycle.
    const auto peak =
        std::max_element(flows.begin(), flows.end(), [](double x, double y) { return std::abs(x) < std::abs(y); });
    vf.direction = *peak >= 0 ? 1 : -1;
    const double dtS = a.phaseDurationMs / 1000;
    for (std::size_t t = 0; t < n; ++t) {
      const double q = flows[t] * vf.direction;
      (q > 0 ? vf.forwardMl : vf.backwardMl) += std::abs(q) * dtS;
      float top = 0;
      for (float x : roiVelocities[t]) top = std::max(top, static_cast<float>(x * vf.direction));
      vf.phases[t].peakVelocityCmS = top;
      vf.peakVelocityCmS = std::max(vf.peakVelocityCmS, double(top));
    }
    vf.netMl = vf.forwardMl - vf.backwardMl;
    vf.regurgitantFractionPct = vf.forwardMl > 0 ? 100 * vf.backwardMl / vf.forwardMl : 0;
    vf.heartRateBpm = a.rrMs > 0 ? 60000 / a.rrMs : 0;
    vf.cardiacOutputLMin = vf.netMl * vf.heartRateBpm / 1000;
    if (vf.unwrappedPixels)
      result.warnings.push_back("aliasing: " + std::to_string(vf.unwrappedPixels) +
                                " pixel values unwrapped (velocities beyond the VENC of " +
                                std::to_string(int(a.vencCmS)) + " cm/s)");
    result.vessels.push_back(std::move(vf));
  }
  // Names: the series description when it says; two vessels with opposite flow are the ascending
  // and descending aorta; with the same direction, the pulmonary artery is the anterior-left one.
  const std::string desc = lower(a.description);
  auto patientPoint = [&](const Seed& s) {
    return ref.position + ref.rowDir * (s.column * ref.colSpacing) + ref.colDir * (s.row * ref.rowSpacing);
  };
  auto& vs = result.vessels;
  if (vs.size() == 1) {
    if (desc.find("pulm") != std::string::npos || desc.find("pa ") != std::string::npos ||
        desc.find("mpa") != std::string::npos || desc.rfind("pa", 0) == 0)
      vs[0].name = "pulmonary artery";
    else if (desc.find("ao") != std::string::npos)
      vs[0].name = "aorta";
    else
      vs[0].name = "vessel 1";
  } else if (vs.size() == 2) {
    const double up0 = vs[0].direction * normal[2], up1 = vs[1].direction * normal[2];
    if (up0 * up1 < 0) {
      (up0 > 0 ? vs[0] : vs[1]).name = "aorta";
      (up0 > 0 ? vs[1] : vs[0]).name = "descending aorta";
    } else {
      const cardiac::Vec3 p0 = patientPoint(vs[0].seed);
      const cardiac::Vec3 p1 = patientPoint(vs[1].seed);
      const bool firstIsPa = (p0[0] - p0[1]) > (p1[0] - p1[1]);  // LPS: left is +x, anterior is -y
      vs[firstIsPa ? 0 : 1].name = "pulmonary artery";
      vs[firstIsPa ? 1 : 0].name = "aorta";
    }
  }
  return result;
}

std::optional<double> qpQs(const std::vector<VesselFlow>& vessels) {
  const VesselFlow *pa = nullptr, *ao = nullptr;
  for (const auto& v : vessels) {
    if (v.name == "pulmonary artery" && !pa) pa = &v;
    if (v.name == "aorta" && !ao) ao = &v;
  }
  if (!pa || !ao || ao->netMl <= 0) return std::nullopt;
  return pa->netMl / ao->netMl;
}

}  // namespace atrium::flow
