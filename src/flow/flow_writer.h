#pragma once
// A flow measurement as DICOM in the source's study: the ROI of every phase as an RT Structure Set
// (on the magnitude images), the results as a Comprehensive SR (TID 1500 measurement groups), and a
// PDF report with the flow curve (Encapsulated PDF).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "flow/flow_analysis.h"

namespace atrium::flow {

// The files written; throws FlowError. index: the acquisition's number (file names, series numbers).
std::vector<std::string> writeFlowOutputs(const PcAcquisition& acquisition, const FlowResult& result,
                                          std::optional<double> qpQs, const std::filesystem::path& dir, int index);

}  // namespace atrium::flow
