#include "cardiac/segmenter.h"

namespace atrium::cardiac {

void checkSegmentationShape(const CineStack& stack, const Segmentation& seg) {
  if (stack.slices.empty() || stack.phases < 1) throw CardiacError("internal: an empty stack");
  if (seg.size() != stack.slices.size())
    throw CardiacError("internal: " + std::to_string(seg.size()) + " segmented slices for a stack of " +
                       std::to_string(stack.slices.size()));
  for (std::size_t s = 0; s < seg.size(); ++s) {
    const auto& phases = stack.slices[s].phases;
    if (seg[s].size() != phases.size() || static_cast<int>(phases.size()) != stack.phases)
      throw CardiacError("internal: slice " + std::to_string(s) + " has " + std::to_string(seg[s].size()) +
                         " masks for " + std::to_string(phases.size()) + " images of " + std::to_string(stack.phases) +
                         " phases");
    for (std::size_t p = 0; p < phases.size(); ++p) {
      const Mask& m = seg[s][p];
      if (m.width != phases[p].columns || m.height != phases[p].rows ||
          m.data.size() != std::size_t(m.width) * std::size_t(m.height))
        throw CardiacError("internal: the mask of slice " + std::to_string(s) + " phase " + std::to_string(p) +
                           " does not match its image's size");
    }
  }
}

}  // namespace atrium::cardiac
