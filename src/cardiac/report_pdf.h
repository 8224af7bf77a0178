#pragma once
// The clinician's report: one PDF page with the results and the LV volume-time curve, written by
// hand (a few drawing operators, Helvetica), and wrapped as Encapsulated PDF Storage.
#include <filesystem>
#include <string>

#include "cardiac/cine_stack.h"
#include "cardiac/function.h"

namespace atrium::cardiac {

std::string reportPdf(const CineStack& stack, const FunctionResults& r, const std::string& method);

// Returns the new SOP Instance UID; throws CardiacError.
std::string writeEncapsulatedPdf(const CineStack& stack, const std::string& pdf, const std::filesystem::path& file);

}  // namespace atrium::cardiac
