#include "cardiac/right_ventricle.h"

#include <algorithm>
#include <cmath>

namespace atrium::cardiac {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kLevel = 0.35;             // of the way from the wall's level to the LV blood's
constexpr double kMinAreaMm2 = 40;          // smaller bright spots are vessels or fat
constexpr double kReachMm = 80;             // from the LV's centre
constexpr double kContactMm = 3;            // "along the wall": within this of the myocardium
constexpr double kSector = kPi / 3;         // around the stack's direction
// At most twice the LV's pool and wall in the same image: a larger bright region reaching the wall
// is the chest wall's fat near the apex, or the atria at the base.
constexpr double kMaxOfHeart = 2;

double angleBetween(double a, double b) {
  double d = std::fmod(std::abs(a - b), 2 * kPi);
  return d > kPi ? 2 * kPi - d : d;
}

}  // namespace

void labelRightVentricle(const Image& image, Mask& labels, double mm, std::optional<double> direction) {
  std::replace(labels.data.begin(), labels.data.end(), std::uint8_t(kRvBlood), std::uint8_t(kBackground));
  std::vector<float> blood, wall;
  Mask heart(labels.width, labels.height, 0);
  double cx = 0, cy = 0;
  for (int y = 0; y < labels.height; ++y)
    for (int x = 0; x < labels.width; ++x) {
      auto l = labels.at(x, y);
      if (l == kLvBlood) {
        blood.push_back(image.at(x, y));
        cx += x;
        cy += y;
      } else if (l == kLvMyocardium) {
        wall.push_back(image.at(x, y));
      }
      heart.at(x, y) = l == kLvBlood || l == kLvMyocardium;
    }
  if (blood.empty() || wall.empty()) return;
  cx /= blood.size();
  cy /= blood.size();
  float myo = median(wall), level = myo + float(kLevel) * (median(blood) - myo);
  auto px = [&](double millimetres) { return std::max(1, int(std::lround(millimetres / mm))); };

  Mask bright(labels.width, labels.height, 0);
  const double reach = kReachMm / mm;
  for (int y = 0; y < labels.height; ++y)
    for (int x = 0; x < labels.width; ++x)
      bright.at(x, y) = !heart.at(x, y) && image.at(x, y) > level && std::hypot(x - cx, y - cy) <= reach;
  bright = dilate(erode(bright, 1), 1);  // thin bridges to the neighbours cut
  Grid<int> comp;
  int n = components(bright, comp);
  Mask ring = withinDistance(heart, px(kContactMm));
  std::vector<double> contact(n + 1, 0), area(n + 1, 0), sx(n + 1, 0), sy(n + 1, 0);
  for (int y = 0; y < labels.height; ++y)
    for (int x = 0; x < labels.width; ++x)
      if (int l = comp.at(x, y)) {
        area[l] += 1;
        sx[l] += x;
        sy[l] += y;
        contact[l] += ring.at(x, y);
      }
  int pick = 0;
  for (int l = 1; l <= n; ++l) {
    if (area[l] * mm * mm < kMinAreaMm2 || contact[l] == 0) continue;
    if (area[l] > kMaxOfHeart * double(blood.size() + wall.size())) continue;
    if (direction && angleBetween(std::atan2(sy[l] / area[l] - cy, sx[l] / area[l] - cx), *direction) > kSector)
      continue;
    if (!pick || contact[l] > contact[pick]) pick = l;
  }
  if (!pick) return;
  // One RV without holes; the LV's labels keep their pixels.
  Mask rv(labels.width, labels.height, 0);
  for (std::size_t i = 0; i < rv.data.size(); ++i) rv.data[i] = comp.data[i] == pick;
  fillHoles(rv);
  for (std::size_t i = 0; i < rv.data.size(); ++i)
    if (rv.data[i] && labels.data[i] == kBackground) labels.data[i] = kRvBlood;
}

namespace {

struct Centres {
  double lvX = 0, lvY = 0, rvX = 0, rvY = 0, rvArea = 0;
  bool both = false;
  double angle() const { return std::atan2(rvY - lvY, rvX - lvX); }
};

Centres centres(const Mask& labels) {
  Centres c;
  double lvArea = 0;
  for (int y = 0; y < labels.height; ++y)
    for (int x = 0; x < labels.width; ++x) {
      auto l = labels.at(x, y);
      if (l == kLvBlood) c.lvX += x, c.lvY += y, lvArea += 1;
      if (l == kRvBlood) c.rvX += x, c.rvY += y, c.rvArea += 1;
    }
  c.both = lvArea > 0 && c.rvArea > 0;
  if (c.both) {
    c.lvX /= lvArea, c.lvY /= lvArea;
    c.rvX /= c.rvArea, c.rvY /= c.rvArea;
  }
  return c;
}

}  // namespace

bool rvOffSide(const Mask& labels, double direction) {
  Centres c = centres(labels);
  return c.both && angleBetween(c.angle(), direction) > kSector;
}

std::optional<double> rvDirection(const Segmentation& seg) {
  double sumSin = 0, sumCos = 0, total = 0;
  for (const auto& phases : seg)
    for (const auto& labels : phases) {
      Centres c = centres(labels);
      if (!c.both) continue;
      sumSin += c.rvArea * std::sin(c.angle());
      sumCos += c.rvArea * std::cos(c.angle());
      total += c.rvArea;
    }
  if (total == 0 || std::hypot(sumSin, sumCos) < 0.5 * total) return std::nullopt;
  return std::atan2(sumSin, sumCos);
}

}  // namespace atrium::cardiac
