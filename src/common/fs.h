#pragma once
// Durable file-system primitives: what "on disk" means for an acknowledged instance.
#include <cstdint>
#include <filesystem>
#include <string>
#include <system_error>

namespace atrium::fs {

// fsync a file by path; returns an error code instead of throwing.
std::error_code fsyncFile(const std::filesystem::path& file);
// fsync a directory so a rename or create inside it survives a crash.
std::error_code fsyncDirectory(const std::filesystem::path& dir);
// rename(2) followed by an fsync of the target's folder.
std::error_code durableRename(const std::filesystem::path& from, const std::filesystem::path& to);
// A unique, not-yet-existing temp name in `dir` ("<prefix><random>.part").
std::filesystem::path uniqueTempPath(const std::filesystem::path& dir, const std::string& prefix);
// Write a whole buffer to `path` durably (temp + fsync + rename in the same folder).
std::error_code writeFileDurably(const std::filesystem::path& path, const void* data, std::size_t size);

bool isTempName(const std::filesystem::path& p);

}  // namespace atrium::fs
