#include "archive/backup.h"

#include <sqlite3.h>

#include <ctime>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "archive/archive.h"
#include "common/fs.h"
#include "common/version.h"
#include "storage/data_lock.h"

namespace atrium {
namespace {

const char* kManifest = "atrium-backup.json";

using Db = std::unique_ptr<sqlite3, decltype(&sqlite3_close)>;

Db open(const std::filesystem::path& file, int flags) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(file.c_str(), &db, flags, nullptr);
  Db out(db, sqlite3_close);
  if (rc != SQLITE_OK) throw BackupError("cannot open " + file.string() + ": " + sqlite3_errstr(rc));
  sqlite3_busy_timeout(db, 10000);
  return out;
}

// The whole database in one step: one read transaction on the source, so one consistent snapshot.
void copyDatabase(const std::filesystem::path& from, const std::filesystem::path& to) {
  auto src = open(from, SQLITE_OPEN_READONLY);
  auto dst = open(to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  sqlite3_backup* b = sqlite3_backup_init(dst.get(), "main", src.get(), "main");
  if (!b) throw BackupError(std::string("cannot start the index backup: ") + sqlite3_errmsg(dst.get()));
  int rc;
  do {
    rc = sqlite3_backup_step(b, -1);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(100);
  } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) throw BackupError(std::string("index backup failed: ") + sqlite3_errstr(rc));
  // The copy stands alone: no WAL beside it.
  char* err = nullptr;
  if (sqlite3_exec(dst.get(), "PRAGMA journal_mode=DELETE", nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "?";
    sqlite3_free(err);
    throw BackupError("index backup: " + msg);
  }
}

struct Instance {
  std::string path, uid;
};

std::vector<Instance> instancesIn(const std::filesystem::path& indexFile) {
  auto db = open(indexFile, SQLITE_OPEN_READONLY);
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db.get(), "SELECT path, sop_uid FROM instances ORDER BY path", -1, &st, nullptr) != SQLITE_OK)
    throw BackupError(indexFile.string() + " is not an Atrium index: " + sqlite3_errmsg(db.get()));
  std::vector<Instance> out;
  while (sqlite3_step(st) == SQLITE_ROW)
    out.push_back({reinterpret_cast<const char*>(sqlite3_column_text(st, 0)),
                   reinterpret_cast<const char*>(sqlite3_column_text(st, 1))});
  sqlite3_finalize(st);
  return out;
}

// A relative path from an index must stay under the storage root.
bool safeRelative(const std::filesystem::path& p) {
  if (p.empty() || p.is_absolute()) return false;
  for (const auto& part : p)
    if (part == ".." || part == ".") return false;
  return true;
}

// Links (or copies) `from` to `to`, fsynced: true if linked.
bool placeFile(const std::filesystem::path& from, const std::filesystem::path& to, bool copy) {
  std::error_code ec;
  std::filesystem::create_directories(to.parent_path(), ec);
  std::filesystem::remove(to, ec);  // left by an interrupted restore into this folder
  if (!copy) {
    std::filesystem::create_hard_link(from, to, ec);
    if (!ec) return true;
    if (ec != std::errc::cross_device_link && ec != std::errc::operation_not_permitted &&
        ec != std::errc::too_many_links)
      throw std::filesystem::filesystem_error("cannot link", from, to, ec);
  }
  auto tmp = fs::uniqueTempPath(to.parent_path(), ".");
  std::filesystem::copy_file(from, tmp);  // throws with the reason
  if (auto e = fs::fsyncFile(tmp)) throw std::filesystem::filesystem_error("cannot fsync", tmp, e);
  if (auto e = fs::durableRename(tmp, to)) throw std::filesystem::filesystem_error("cannot rename", tmp, to, e);
  return false;
}

bool emptyOrAbsent(const std::filesystem::path& dir) {
  std::error_code ec;
  return !std::filesystem::exists(dir, ec) ||
         (std::filesystem::is_directory(dir, ec) && std::filesystem::is_empty(dir, ec));
}

BackupResult placeFiles(const std::vector<Instance>& instances, const std::filesystem::path& fromStorage,
                        const std::filesystem::path& toStorage, bool copy) {
  BackupResult r;
  std::set<std::filesystem::path> folders;
  for (const auto& i : instances) {
    std::filesystem::path rel(i.path);
    if (!safeRelative(rel)) throw BackupError("the index names a file outside the storage folder: " + i.path);
    std::error_code ec;
    auto size = std::filesystem::file_size(fromStorage / rel, ec);
    if (ec) {
      r.vanished.push_back(i.uid);
      continue;
    }
    (placeFile(fromStorage / rel, toStorage / rel, copy) ? r.linked : r.copied)++;
    r.instances++;
    r.bytes += static_cast<std::int64_t>(size);
    folders.insert((toStorage / rel).parent_path());
  }
  // Links and renames survive a crash once their folders are synced.
  for (const auto& f : folders) fs::fsyncDirectory(f);
  for (const auto& f : folders) fs::fsyncDirectory(f.parent_path());
  fs::fsyncDirectory(toStorage);
  return r;
}

}  // namespace

BackupResult backupDataFolder(const std::filesystem::path& from, const std::filesystem::path& to, bool copy) {
  DataLayout src(from);
  if (!std::filesystem::exists(src.indexFile)) throw BackupError(from.string() + " holds no Atrium index (index.db)");
  if (!emptyOrAbsent(to)) throw BackupError(to.string() + " is not empty: a backup goes into a new folder");
  DataLayout dst(to);
  std::filesystem::create_directories(dst.storage);
  auto tmpIndex = to / "index.db.part";
  copyDatabase(src.indexFile, tmpIndex);
  auto result = placeFiles(instancesIn(tmpIndex), src.storage, dst.storage, copy);
  if (auto e = fs::fsyncFile(tmpIndex)) throw BackupError("cannot fsync the index copy: " + e.message());
  if (auto e = fs::durableRename(tmpIndex, dst.indexFile)) throw BackupError("cannot place the index: " + e.message());
  // Written last: a folder without it is an unfinished backup.
  nlohmann::json manifest{{"atrium_version", version()},
                          {"created", static_cast<std::int64_t>(std::time(nullptr))},
                          {"source", std::filesystem::absolute(from).string()},
                          {"instances", result.instances},
                          {"bytes", result.bytes},
                          {"vanished", result.vanished}};
  std::string text = manifest.dump(1) + "\n";
  if (auto e = fs::writeFileDurably(to / kManifest, text.data(), text.size()))
    throw BackupError("cannot write " + (to / kManifest).string() + ": " + e.message());
  return result;
}

BackupResult restoreDataFolder(const std::filesystem::path& from, const std::filesystem::path& to, bool copy) {
  DataLayout src(from);
  if (!std::filesystem::exists(from / kManifest) || !std::filesystem::exists(src.indexFile))
    throw BackupError(from.string() + " is not a finished Atrium backup (no " + kManifest + " or index.db)");
  DataLayout dst(to);
  std::filesystem::create_directories(to);
  storage::DataLock lock(to);  // no server on it meanwhile
  if (std::filesystem::exists(dst.indexFile))
    throw BackupError(to.string() + " already holds an archive (index.db): restore into a new or empty folder");
  std::filesystem::create_directories(dst.storage);
  auto result = placeFiles(instancesIn(src.indexFile), src.storage, dst.storage, copy);
  // The index is always copied: the restored archive will write to it.
  auto tmpIndex = to / "index.db.part";
  copyDatabase(src.indexFile, tmpIndex);
  {
    auto db = open(tmpIndex, SQLITE_OPEN_READWRITE);
    sqlite3_exec(db.get(), "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
  }
  if (auto e = fs::fsyncFile(tmpIndex)) throw BackupError("cannot fsync the index: " + e.message());
  if (auto e = fs::durableRename(tmpIndex, dst.indexFile)) throw BackupError("cannot place the index: " + e.message());
  return result;
}

}  // namespace atrium
