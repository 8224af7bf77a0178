#pragma once
// Automatic cardiac analysis inside `atrium serve`: a study with MR images that has received none
// for `analysis.stable_s` is analysed once (again when newer MR images arrive); the RT Structure
// Set, SEG and PDF report are stored back through the ingest path, so the forwarding rules send
// them on like any other instance. What was found is kept in the index (table analyses).
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"

namespace atrium {
class Archive;
}
namespace atrium::index {
class IndexDatabase;
}
namespace atrium::storage {
class FileStore;
}

namespace atrium::routing {

// The stored MR images of a study (the query model: its Study Instance UID and Modality MR at the
// image level), as files; what an analysis reads, from the server or from `atrium analyze --study`.
std::vector<std::filesystem::path> studyMrImages(const index::IndexDatabase& index, const storage::FileStore& store,
                                                 const std::string& studyUid);

class AnalysisScheduler {
 public:
  AnalysisScheduler(const Config& config, Archive& archive);
  ~AnalysisScheduler();
  void start();
  void stop();

 private:
  void loop();
  void analyse(const std::string& studyUid, std::int64_t lastReceived);

  const Config& config_;
  Archive& archive_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable cv_;
  std::thread thread_;
};

}  // namespace atrium::routing
