#pragma once
// `atrium backup` and `atrium restore`. A backup is a folder laid out like a data folder
// (index.db, storage/) plus atrium-backup.json. The index is copied with SQLite's online backup
// API, so the copy is one consistent snapshot even while the archive stores and deletes; then the
// files the snapshot names are hard-linked (same file system; they are never modified in place) or
// copied, each fsynced.
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace atrium {

struct BackupError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct BackupResult {
  std::int64_t instances = 0, bytes = 0, linked = 0, copied = 0;
  // Instances in the index snapshot whose file was gone by the time it was linked (deleted
  // meanwhile): `atrium verify` on the backup names them.
  std::vector<std::string> vanished;
};

// from: a data folder (may be served meanwhile); to: a new or empty folder. copy: never hard-link.
BackupResult backupDataFolder(const std::filesystem::path& from, const std::filesystem::path& to, bool copy);
// from: a backup; to: a data folder with no index (a new or empty folder). Takes the data lock.
BackupResult restoreDataFolder(const std::filesystem::path& from, const std::filesystem::path& to, bool copy);

}  // namespace atrium
