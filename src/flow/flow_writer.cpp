#include "flow/flow_writer.h"

namespace atrium::flow {

std::vector<std::string> writeFlowOutputs(const PcAcquisition&, const FlowResult&, std::optional<double>,
                                          const std::filesystem::path&, int) {
  return {};
}

}  // namespace atrium::flow
