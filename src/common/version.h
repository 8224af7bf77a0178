#pragma once
// Atrium's version (CMake's project version) and the git description it was built from.
#include <string>

namespace atrium {

const char* version();
// "v0.1.0-12-gabcdef" or "" where the source was not a git checkout.
const char* gitDescription();

}  // namespace atrium
