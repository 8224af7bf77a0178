#pragma once
// Non-cryptographic hashes (XXH3-128): file checksums and storage layout keys.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace atrium::hash {

// The 32 lowercase hex digits of a 128-bit hash: the one format of every stored checksum.
std::string hex128(std::uint64_t high, std::uint64_t low);
// 32 lowercase hex digits.
std::string xxh128Hex(std::string_view data);
// SHA-256 of data as 64 lowercase hex digits (tokens, the segmentation model's file).
std::string sha256Hex(std::string_view data);
// Checksum of a whole file, streamed; nullopt if it cannot be read.
std::optional<std::string> fileChecksum(const std::filesystem::path& file);

}  // namespace atrium::hash
