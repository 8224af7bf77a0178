#pragma once
// The flow measurement as JSON: what `atrium flow --json` prints and GET /api/studies/{uid}/flow
// answers (one definition for both).
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "flow/flow_analysis.h"

namespace atrium::flow {

nlohmann::json flowJson(const std::vector<PcAcquisition>& acquisitions, const std::vector<FlowResult>& results,
                        std::optional<double> qpQs);

}  // namespace atrium::flow
