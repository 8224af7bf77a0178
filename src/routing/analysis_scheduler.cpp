#include "routing/analysis_scheduler.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "archive/archive.h"
#include "cardiac/analysis.h"
#include "cardiac/cine_stack.h"
#include "common/fs.h"
#include "common/log.h"
#include "index/sqlite_util.h"
#include "query/runner.h"
#include "routing/job_queue.h"

namespace atrium::routing {

std::vector<std::filesystem::path> studyMrImages(const index::IndexDatabase& index, const storage::FileStore& store,
                                                 const std::string& studyUid) {
  query::Query q;
  q.level = query::Level::Image;
  q.keys.push_back({query::tag(0x0020, 0x000D), 0, "UI", studyUid});
  q.keys.push_back({query::tag(0x0008, 0x0060), 0, "CS", "MR"});
  std::vector<std::filesystem::path> files;
  query::runQuery(index, q, [&](query::Match&& m) {
    files.push_back(store.absolutePath(m.path));
    return true;
  });
  return files;
}

AnalysisScheduler::AnalysisScheduler(const Config& config, Archive& archive) : config_(config), archive_(archive) {}

AnalysisScheduler::~AnalysisScheduler() { stop(); }

void AnalysisScheduler::start() {
  // Working folders of analyses a crash interrupted (their outputs were never acknowledged).
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(archive_.ingestor().incomingFolder(), ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    if (it->is_directory() && it->path().filename().string().rfind("analysis-", 0) == 0) {
      std::error_code rm;
      std::filesystem::remove_all(it->path(), rm);
      log::info("removed an interrupted analysis folder: ", it->path().string());
    }
  if (config_.analysis.enabled) thread_ = std::thread([this] { loop(); });
}

void AnalysisScheduler::stop() {
  stopping_ = true;
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void AnalysisScheduler::loop() {
  log::info("cardiac analysis: studies are analysed ", config_.analysis.stableSeconds, " s after their last MR image");
  while (!stopping_) {
    try {
      // Studies whose newest MR image is older than the stable time and newer than their last
      // analysis (outputs are not MR, so they do not count as input).
      std::vector<std::pair<std::string, std::int64_t>> due;
      std::int64_t cutoff = nowMs() - std::int64_t(config_.analysis.stableSeconds) * 1000;
      archive_.index().select(
          "SELECT st.study_uid, max(i.received_at) AS last FROM instances i JOIN series se ON se.pk=i.series_pk "
          "JOIN studies st ON st.pk=se.study_pk WHERE se.modality='MR' GROUP BY st.pk HAVING last < ? AND NOT "
          "EXISTS (SELECT 1 FROM analyses a WHERE a.study_uid=st.study_uid AND a.input_received_at >= last)",
          {std::to_string(cutoff)}, [&](const index::Statement& r) {
            due.emplace_back(r.text(0), r.integer(1));
            return true;
          });
      for (const auto& [study, last] : due) {
        if (stopping_) break;
        analyse(study, last);
      }
    } catch (const std::exception& e) {
      log::error("cardiac analysis: ", e.what());
    }
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, std::chrono::seconds(2), [&] { return stopping_.load(); });
  }
}

void AnalysisScheduler::analyse(const std::string& study, std::int64_t lastReceived) {
  std::vector<std::filesystem::path> files = studyMrImages(archive_.index(), archive_.store(), study);
  std::string state = "done", message;
  nlohmann::json results = nlohmann::json::object();
  auto work = fs::uniqueTempPath(archive_.ingestor().incomingFolder(), "analysis-");
  work.replace_extension("");  // a folder, not a temp file name
  try {
    auto out = cardiac::analyze(files, work);
    results = out.summary;
    int stored = 0;
    for (const auto& f : out.files) {
      auto r = archive_.ingestor().ingestReceived(f, "ATRIUM-ANALYSIS");
      if (r.success())
        ++stored;
      else
        log::error("cardiac analysis of ", study, ": cannot store ", f, ": ", r.message);
    }
    message = std::to_string(stored) + " of " + std::to_string(out.files.size()) + " outputs stored";
    if (stored != static_cast<int>(out.files.size())) state = "failed";
    log::info("cardiac analysis of ", study, ": LV EF ", results["lv_ef_pct"].get<double>(), " %, ", message);
  } catch (const cardiac::CardiacError& e) {
    state = "skipped";
    message = e.what();
    log::info("cardiac analysis of ", study, " skipped: ", message);
  } catch (const std::exception& e) {
    state = "failed";
    message = e.what();
    log::error("cardiac analysis of ", study, " failed: ", message);
  }
  std::error_code ec;
  std::filesystem::remove_all(work, ec);
  archive_.index().write([&](sqlite3* c) {
    index::Statement s(c,
                       "INSERT INTO analyses(study_uid,state,input_received_at,finished_at,message,results) "
                       "VALUES(?,?,?,?,?,?) ON CONFLICT(study_uid) DO UPDATE SET state=excluded.state, "
                       "input_received_at=excluded.input_received_at, finished_at=excluded.finished_at, "
                       "message=excluded.message, results=excluded.results");
    s.bind(1, study).bind(2, state).bind(3, lastReceived).bind(4, nowMs()).bind(5, message).bind(6, results.dump());
    s.step();
  });
}

}  // namespace atrium::routing
