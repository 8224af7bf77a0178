#pragma once
// The RV blood pool, found once the LV's pool and myocardium are labelled: the bright region that
// lies along the LV's outside. Chosen by how much of it runs along the wall (the RV wraps round the
// septum) rather than by size (chest-wall fat and the liver's bright neighbours are large), at a
// level between the wall's and the LV blood's (the RV's blood is often darker than the LV's:
// further from the coil, slower flow), and, when the stack agrees on it, on the septal side.
#include <optional>

#include "cardiac/segmenter.h"
#include "cardiac/shapes.h"

namespace atrium::cardiac {

// Labels the RV blood pool in `labels` (which hold the LV pool and myocardium; the RV label is
// replaced) on `image`, unsmoothed (smoothing joins the RV's blood to the fat outside its thin
// free wall); `mm` is its pixel size. With a direction (radians
// in the image plane, from the LV's centre), only regions whose centre lies within 60° of it count.
void labelRightVentricle(const Image& image, Mask& labels, double mm, std::optional<double> direction = {});

// Whether the image has an RV and it lies more than 60° off `direction` (to be chosen again).
bool rvOffSide(const Mask& labels, double direction);

// The direction of the RV from the LV over the stack (area-weighted mean of the images' directions),
// when the images agree on it (mean resultant length of at least 0.5); none otherwise.
std::optional<double> rvDirection(const Segmentation& seg);

}  // namespace atrium::cardiac
