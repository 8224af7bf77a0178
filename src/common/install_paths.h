#pragma once
// Where an installed atrium (the Debian package: /usr/bin/atrium) finds its read-only files: the
// share/atrium folder beside its bin folder. A binary in a build tree has none, and uses the
// source tree's (viewer/dist, models/), named at compile time.
#include <filesystem>
#include <optional>

namespace atrium {

// <prefix>/share/atrium/<relative> when it exists beside the running binary.
std::optional<std::filesystem::path> installedFile(const std::filesystem::path& relative);

}  // namespace atrium
