#pragma once
// Contours as a reader edits them (the JSON of GET/PUT /api/analyses/{id}) and the label images
// the function calculation uses: one definition of how an outline becomes pixels, so that a
// corrected analysis is measured exactly as the automatic one.
//   {"sop_instance_uid", "frame" (1-based, multi-frame), "structure": "lv_endo"|"lv_epi"|"rv_endo",
//    "points": [[column, row], ...]}  (pixel centres; the polygon closes itself)
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "cardiac/cine_stack.h"
#include "cardiac/segmenter.h"
#include "cardiac/structure_set_reader.h"

namespace atrium::cardiac {

// What is wrong with a contour list (the REST answer's 400 message).
struct ContourError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Pixels whose centres are inside: LV epicardium → myocardium, LV endocardium → blood pool (over
// the myocardium), RV endocardium → RV (outside the LV). Throws ContourError naming the contour
// (its index) and the problem: unknown structure, fewer than 3 points (not a closed polygon), a
// point outside the image, an image not in the cine.
Segmentation segmentationFromContours(const CineStack& stack, const nlohmann::json& contours);

// The outlines of a stored RT Structure Set (ours: LV blood pool, LV myocardium with epicardium
// and endocardium, RV blood pool) in that JSON form, on the cine's images.
nlohmann::json contoursFromStructureSet(const CineStack& stack, const std::vector<StoredContour>& stored);

}  // namespace atrium::cardiac
