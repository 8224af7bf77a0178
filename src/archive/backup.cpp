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
#include "index/sqlite_util.h"
#include "storage/data_lock.h"

namespace atrium {
namespace {

const char* kManifest = "atrium-backup.json";

using Db = std::unique_ptr<sqlite3, decltype(&sqlite3_close)>;

// The index layer's opening (busy timeout included); its failure is this command's BackupError.
Db open(const std::filesystem::path& file, bool readOnly) {
  try {
    return Db(index::openDatabase(file.string(), readOnly), sqlite3_close);
  } catch (const index::DbError& e) {
    throw BackupError(e.what());
  }
}

// The whole database in one step: one read transaction on the source, so one consistent snapshot.
void copyDatabase(const std::filesystem::path& from, const std::filesystem::path& to) {
  auto src = open(from, true);
  auto dst = open(to, false);
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
  try {
    index::exec(dst.get(), "PRAGMA journal_mode=DELETE");
  } catch (const index::DbError& e) {
    throw BackupError(std::string("index backup: ") + e.what());
  }
}

struct Instance {
  std::string path, uid;
};

std::vector<Instance> instancesIn(const std::filesystem::path& indexFile) {
  auto db = open(indexFile, true);
  std::vector<Instance> out;
  try {
    index::Statement st(db.get(), "SELECT path, sop_uid FROM instances ORDER BY path");
    while (st.step()) out.push_back({st.text(0), st.text(1)});
  } catch (const index::DbError& e) {
    throw BackupError(indexFile.string() + " is not an Atrium index: " + e.what());
  }
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
  // The index is always copied: the restored archive will write to it (and puts it back in WAL
  // mode when it opens it).
  auto tmpIndex = to / "index.db.part";
  copyDatabase(src.indexFile, tmpIndex);
  if (auto e = fs::fsyncFile(tmpIndex)) throw BackupError("cannot fsync the index: " + e.message());
  if (auto e = fs::durableRename(tmpIndex, dst.indexFile)) throw BackupError("cannot place the index: " + e.message());
  return result;
}

}  // namespace atrium
