#pragma once
// max_storage_gb / min_free_gb and what happens when an instance would pass them
// (storage_full_policy): the ingest path asks admit() before it commits a file.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "config/config.h"

namespace atrium {

class Archive;

class StorageLimits {
 public:
  StorageLimits(const StorageLimitsConfig& config, Archive& archive);
  // "" when `bytes` more may be stored (after deleting old studies, by policy); else why not.
  // Never deletes `studyUid` (the study the instance belongs to) to make room.
  std::string admit(std::int64_t bytes, const std::string& studyUid);

 private:
  // Why storing `bytes` more would pass a limit, or "".
  std::string overLimit(std::int64_t bytes, bool fresh);
  // Deletes the oldest study that may go; false when none may.
  bool deleteOldestStudy(const std::string& keep);

  const StorageLimitsConfig& config_;
  Archive& archive_;
  std::mutex mutex_;
  // The stored files' total, read from the index at most every few seconds and kept up to date
  // with what was admitted in between (deletions only make it smaller).
  std::int64_t usedBytes_ = 0;
  std::chrono::steady_clock::time_point usedReadAt_{};
};

}  // namespace atrium
