#pragma once
// Non-cryptographic hashes (XXH3-128): file checksums and storage layout keys.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace atrium::hash {

// 32 lowercase hex digits.
std::string xxh128Hex(std::string_view data);
// Checksum of a whole file, streamed; nullopt if it cannot be read.
std::optional<std::string> fileChecksum(const std::filesystem::path& file);

}  // namespace atrium::hash
