#include "routing/analysis_scheduler.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "archive/archive.h"
#include "cardiac/analysis.h"
#include "cardiac/cine_stack.h"
#include "cardiac/learned_segmenter.h"
#include "cardiac/segmentation_model.h"
#include "common/clock.h"
#include "common/log.h"
#include "index/sqlite_util.h"
#include "query/runner.h"
#include "routing/analysis_versions.h"
#include "routing/analysis_worker.h"
#include "routing/job_queue.h"
#include "routing/worker_outputs.h"

namespace atrium::routing {

std::vector<std::filesystem::path> studyFilesOfModality(const index::IndexDatabase& index,
                                                        const storage::FileStore& store, const std::string& studyUid,
                                                        const std::string& modality) {
  query::Query q;
  q.level = query::Level::Image;
  q.keys.push_back({query::tag(0x0020, 0x000D), 0, "UI", studyUid});
  q.keys.push_back({query::tag(0x0008, 0x0060), 0, "CS", modality});
  std::vector<std::filesystem::path> files;
  query::runQuery(index, q, [&](query::Match&& m) {
    files.push_back(store.absolutePath(m.path));
    return true;
  });
  return files;
}

std::vector<std::filesystem::path> studyMrImages(const index::IndexDatabase& index, const storage::FileStore& store,
                                                 const std::string& studyUid) {
  return studyFilesOfModality(index, store, studyUid, "MR");
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
  if (!config_.analysis.enabled) return;
  log::info("cardiac analysis: studies are analysed ", config_.analysis.stableSeconds, " s after their last MR image, ",
            config_.analysis.workers, " at a time, each in a process limited to ", config_.analysis.timeLimitSeconds,
            " s and ",
            config_.analysis.memoryMb ? std::to_string(config_.analysis.memoryMb) + " MB" : "unlimited memory");
  if (currentExecutable().empty()) log::error("cardiac analysis: cannot find the atrium executable (/proc/self/exe)");
  if (config_.analysis.segmenter != "classic") {
    // Said once at start: with an unusable model every analysis fails (recorded), archiving goes on.
    try {
      cardiac::SegmentationModel model(cardiac::defaultModelPath());
    } catch (const std::exception& e) {
      log::error("cardiac analysis: ", e.what(), "; analyses will fail until it is replaced (archiving goes on)");
    }
  }
  for (int i = 0; i < config_.analysis.workers; ++i) threads_.emplace_back([this] { workerLoop(); });
}

void AnalysisScheduler::stop() {
  stopping_ = true;
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

bool AnalysisScheduler::takeDueStudy(std::string& study, std::int64_t& lastReceived) {
  // Studies whose newest MR image is older than the stable time and newer than their last
  // analysis (outputs are not MR, so they do not count as input). The cutoff is bound as an
  // integer: compared with a text, every integer in SQLite is smaller.
  std::vector<std::pair<std::string, std::int64_t>> due;
  std::int64_t cutoff = unixMillis() - std::int64_t(config_.analysis.stableSeconds) * 1000;
  archive_.index().select(
      "SELECT st.study_uid, max(i.received_at) AS last FROM instances i JOIN series se ON se.pk=i.series_pk "
      "JOIN studies st ON st.pk=se.study_pk WHERE se.modality='MR' GROUP BY st.pk HAVING last < ? AND NOT "
      "EXISTS (SELECT 1 FROM analyses a WHERE a.study_uid=st.study_uid AND a.input_received_at >= last) "
      "ORDER BY last",
      {cutoff}, [&](const index::Statement& r) {
        due.emplace_back(r.text(0), r.integer(1));
        return true;
      });
  std::lock_guard lock(mutex_);
  for (const auto& [uid, last] : due)
    if (!running_.count(uid)) {
      running_.insert(uid);
      study = uid;
      lastReceived = last;
      return true;
    }
  return false;
}

void AnalysisScheduler::workerLoop() {
  while (!stopping_) {
    std::string study;
    std::int64_t last = 0;
    bool found = false;
    try {
      found = takeDueStudy(study, last);
      if (found) analyse(study, last);
    } catch (const std::exception& e) {
      log::error("cardiac analysis", study.empty() ? "" : " of " + study, ": ", e.what());
    }
    if (found) {
      std::lock_guard lock(mutex_);
      running_.erase(study);
      continue;
    }
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, std::chrono::seconds(2), [&] { return stopping_.load(); });
  }
}

namespace {

// The Series Instance UIDs an analysis stored before (JSON array in analyses.outputs).
std::vector<std::string> previousOutputs(const index::IndexDatabase& db, const std::string& study) {
  std::vector<std::string> out;
  db.select("SELECT outputs FROM analyses WHERE study_uid=?", {study}, [&](const index::Statement& r) {
    auto j = nlohmann::json::parse(r.text(0), nullptr, false);
    if (j.is_array())
      for (const auto& s : j)
        if (s.is_string()) out.push_back(s.get<std::string>());
    return false;
  });
  return out;
}

// `atrium analyze` refused its input in its own words (exit 1, "atrium analyze: ..."), as opposed
// to failing: an internal error, an unusable model, or a runtime that printed something else.
bool saysNotACine(const std::string& stderrText) {
  std::string last;
  std::size_t end = stderrText.find_last_not_of("\n");
  if (end != std::string::npos) {
    std::size_t start = stderrText.rfind('\n', end);
    last = stderrText.substr(start == std::string::npos ? 0 : start + 1,
                             end + 1 - (start == std::string::npos ? 0 : start + 1));
  }
  return last.rfind("atrium analyze: ", 0) == 0 && last.find("internal error") == std::string::npos &&
         last.find("segmentation model") == std::string::npos;
}

}  // namespace

void AnalysisScheduler::analyse(const std::string& study, std::int64_t lastReceived) {
  std::vector<std::filesystem::path> files = studyMrImages(archive_.index(), archive_.store(), study);
  std::string state = "done", message;
  nlohmann::json results = nlohmann::json::object();
  std::vector<std::string> outputSeries = previousOutputs(archive_.index(), study);
  WorkerFolder work(archive_.ingestor().incomingFolder(), "analysis-", files);
  std::vector<std::string> args{"analyze", "--inputs-from",     work.inputList().string(),
                                "--out",   work.out().string(), "--json"};
  if (!config_.analysis.segmenter.empty()) args.insert(args.end(), {"--segmenter", config_.analysis.segmenter});
  WorkerLimits limits;
  limits.timeLimitSeconds = config_.analysis.timeLimitSeconds;
  limits.memoryMb = config_.analysis.memoryMb;
  auto outcome = runWorker(currentExecutable(), args, work.dir(), limits, &stopping_);
  using Kind = WorkerOutcome::Kind;
  if (outcome.kind == Kind::Stopped) {
    // Not recorded: the study is analysed again after the restart (its folder goes with `work`).
    return;
  }
  if (outcome.kind == Kind::Exited && outcome.exitCode == 0) {
    results = nlohmann::json::parse(outcome.stdoutText, nullptr, false);
    if (!results.is_object() || !results.contains("outputs") || !results["outputs"].is_array()) {
      state = "failed";
      message = "the analysis process printed no result";
      results = nlohmann::json::object();
    } else {
      // Outputs: only files the worker wrote in its own folder are taken.
      auto outputs = storeWorkerOutputs(archive_, results["outputs"], work.out(), "ATRIUM-ANALYSIS");
      for (const auto& why : outputs.failures) log::error("cardiac analysis of ", study, ": not stored: ", why);
      const int stored = outputs.stored, total = outputs.listed;
      const std::vector<std::string>& series = outputs.series;
      AnalysisVersion version;
      version.rtstructUid = outputs.rtstructUid;
      version.srUid = outputs.srUid;
      message = std::to_string(stored) + " of " + std::to_string(total) + " outputs stored";
      if (stored != total) state = "failed";
      // The earlier analysis's outputs are superseded by these (never left beside them).
      for (const auto& old : outputSeries)
        if (std::find(series.begin(), series.end(), old) == series.end()) {
          try {
            archive_.remove(query::Level::Series, old, "superseded analysis output");
          } catch (const std::exception& e) {
            log::error("cardiac analysis of ", study, ": cannot remove the superseded series ", old, ": ", e.what());
          }
        }
      outputSeries = series;
      // The automatic analysis is the first version a reader may correct and sign.
      if (state == "done" && !version.rtstructUid.empty() && !version.srUid.empty()) {
        version.study = study;
        version.createdBy = "automatic";
        version.results = results;
        version.outputs = series;
        try {
          addAnalysisVersion(archive_.index(), version);
        } catch (const std::exception& e) {
          log::error("cardiac analysis of ", study, ": ", e.what());
        }
      }
      if (results.contains("lv_ef_pct") && results["lv_ef_pct"].is_number())
        log::info("cardiac analysis of ", study, ": LV EF ", results["lv_ef_pct"].get<double>(), " %, ", message);
    }
  } else if (outcome.kind == Kind::Exited && outcome.exitCode == 1 && saysNotACine(outcome.stderrText)) {
    // The input is not an analysable cine: said in one line by `atrium analyze`.
    state = "skipped";
    message = outcome.describe();
    log::info("cardiac analysis of ", study, " skipped: ", message);
  } else {
    state = "failed";
    message = "analysis process " + outcome.describe();
    log::error("cardiac analysis of ", study, " (", files.size(), " MR images) failed: ", message);
  }
  nlohmann::json outputs = outputSeries;
  archive_.index().write([&](sqlite3* c) {
    index::Statement s(c,
                       "INSERT INTO analyses(study_uid,state,input_received_at,finished_at,message,results,outputs) "
                       "VALUES(?,?,?,?,?,?,?) ON CONFLICT(study_uid) DO UPDATE SET state=excluded.state, "
                       "input_received_at=excluded.input_received_at, finished_at=excluded.finished_at, "
                       "message=excluded.message, results=excluded.results, outputs=excluded.outputs");
    s.bind(1, study)
        .bind(2, state)
        .bind(3, lastReceived)
        .bind(4, unixMillis())
        .bind(5, message)
        .bind(6, results.dump());
    s.bind(7, outputs.dump());
    s.step();
  });
}

}  // namespace atrium::routing
