#pragma once
// The instance index. Writes go through one writer thread that commits in groups
// (one fsync for many concurrent stores); reads open their own connections.
#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "dicom/instance_record.h"
#include "index/sqlite_util.h"

namespace atrium::index {

struct StoredFile {
  std::string relativePath;
  std::int64_t size = 0;
  std::string checksum;
  std::string sourceAet;
};

enum class InsertOutcome { Inserted, AlreadyPresent, Replaced, Failed };

struct IndexedInstance {
  std::string sopInstanceUid, sopClassUid, studyUid, seriesUid, transferSyntax, path, checksum;
  std::int64_t size = 0;
  std::string patientId, patientName;
};

struct IndexCounts {
  std::int64_t patients = 0, studies = 0, series = 0, instances = 0;
};

class IndexDatabase {
 public:
  // Opens (creating if needed) <file>; WAL, synchronous=FULL: a commit is on disk when it returns.
  // durableCommits=false (synchronous=OFF) only for a database built aside and made durable as a
  // whole before use (reindex).
  explicit IndexDatabase(std::filesystem::path file, bool durableCommits = true);
  ~IndexDatabase();
  IndexDatabase(const IndexDatabase&) = delete;
  IndexDatabase& operator=(const IndexDatabase&) = delete;

  // Blocks until the row is committed (or failed). replaceExisting: overwrite policy.
  InsertOutcome addInstance(const dicom::InstanceRecord& record, const StoredFile& file, bool replaceExisting,
                            std::string* error = nullptr);

  std::optional<IndexedInstance> findInstance(const std::string& sopInstanceUid) const;
  IndexCounts counts() const;
  // Run a read-only statement; onRow returns false to stop early (C-CANCEL, limits).
  void select(const std::string& sql, const Binds& binds, const std::function<bool(const Statement&)>& onRow) const;
  // Run work in a write transaction (on the writer thread, grouped with others); false and
  // *error if it threw or the commit failed (nothing of it is then kept).
  bool write(const std::function<void(sqlite3*)>& work, std::string* error = nullptr);
  // The same loop over rows on a given connection (inside write()).
  static void select(sqlite3* db, const std::string& sql, const Binds& binds,
                     const std::function<bool(const Statement&)>& onRow);
  // Called in the transaction that indexes a new (or replacing) instance, so that what must
  // follow a store (forwarding jobs) commits with it or not at all. Set before any store.
  using InsertHook = std::function<void(sqlite3*, const dicom::InstanceRecord&, const StoredFile&)>;
  void setInsertHook(InsertHook hook) { insertHook_ = std::move(hook); }
  const std::filesystem::path& file() const { return file_; }

 private:
  struct Job {
    std::function<void(sqlite3*)> work;  // runs inside the group's transaction
    std::promise<bool> committed;
  };
  void writerLoop();
  // A statement prepared once on the writer connection (writer thread only).
  Statement& writerStatement(const char* sql);
  struct ReadConnection {
    ReadConnection(const IndexDatabase* o, sqlite3* d) : owner(o), db(d) {}
    ReadConnection(ReadConnection&& other) noexcept : owner(other.owner), db(other.db) { other.db = nullptr; }
    ~ReadConnection();
    const IndexDatabase* owner;
    sqlite3* db;
  };
  ReadConnection readConnection() const;
  mutable std::mutex poolMutex_;
  mutable std::vector<sqlite3*> readPool_;

  std::filesystem::path file_;
  InsertHook insertHook_;
  sqlite3* writer_ = nullptr;
  std::map<const char*, std::unique_ptr<Statement>> writerStatements_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Job*> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace atrium::index
