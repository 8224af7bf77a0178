#pragma once
// An exclusive lock on a data folder: one server (or one reindex) at a time.
#include <filesystem>

namespace atrium::storage {

class DataLock {
 public:
  // Throws std::runtime_error if another process holds the folder.
  explicit DataLock(const std::filesystem::path& dataDir);
  ~DataLock();
  DataLock(const DataLock&) = delete;
  DataLock& operator=(const DataLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace atrium::storage
