#pragma once
// Automatic cardiac analysis inside `atrium serve`: a study with MR images that has received none
// for `analysis.stable_s` is analysed once per completed input (again only once newer MR images
// have arrived and the study is stable again). Each analysis runs `atrium analyze` in a process of
// its own (analysis_worker.h) with a time and a memory limit, niced; a crash there is recorded as a
// failed analysis. The RT Structure Set, SEG, SR and PDF report are stored back through the ingest
// path, so the forwarding rules send them on like any other instance; a newer analysis of the study
// supersedes them (the earlier outputs' series are deleted). What was found is kept in the index
// (table analyses).
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <set>
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

// The files of a study's instances of one modality (RTSTRUCT, SR...), through the query model.
std::vector<std::filesystem::path> studyFilesOfModality(const index::IndexDatabase& index,
                                                        const storage::FileStore& store, const std::string& studyUid,
                                                        const std::string& modality);
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
  void workerLoop();
  // The next study due for analysis that no other worker has taken (marked taken), if any.
  bool takeDueStudy(std::string& study, std::int64_t& lastReceived);
  void analyse(const std::string& studyUid, std::int64_t lastReceived);

  const Config& config_;
  Archive& archive_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::thread> threads_;
  std::set<std::string> running_;  // studies being analysed (under mutex_)
};

}  // namespace atrium::routing
