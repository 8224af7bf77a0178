#include "archive/integrity_scheduler.h"

#include <chrono>
#include <ctime>

#include "archive/archive.h"
#include "archive/integrity.h"
#include "common/log.h"
#include "common/metrics.h"

namespace atrium {

void IntegrityScheduler::start() {
  if (config_.storage.verifyIntervalHours <= 0) return;
  thread_ = std::thread([this] { loop(); });
}

void IntegrityScheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void IntegrityScheduler::loop() {
  auto interval = std::chrono::milliseconds(static_cast<std::int64_t>(config_.storage.verifyIntervalHours * 3600e3));
  std::unique_lock lock(mutex_);
  while (!cv_.wait_for(lock, interval, [this] { return stopping_; })) {
    lock.unlock();
    try {
      auto start = std::chrono::steady_clock::now();
      auto report = verifyStorage(archive_.index(), archive_.store().root(),
                                  [](const IntegrityProblem& p) { log::error("verify: ", describe(p)); });
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      metrics::counter("atrium_verify_runs_total", "scheduled integrity checks run").add();
      metrics::gauge("atrium_verify_last_problems", "missing, changed and unindexed files found by the last check")
          .set(static_cast<std::int64_t>(report.problems.size()));
      metrics::gauge("atrium_verify_last_checked_files", "files re-hashed by the last check").set(report.checked);
      metrics::gauge("atrium_verify_last_run_timestamp_seconds", "when the last check finished (unix time)")
          .set(static_cast<std::int64_t>(std::time(nullptr)));
      if (report.ok())
        log::info("verify: ", report.checked, " files checked in ", seconds, " s, no problem");
      else
        log::error("verify: ", report.checked, " files checked in ", seconds, " s, ", report.problems.size(),
                   " problems");
    } catch (const std::exception& e) {
      log::error("verify: ", e.what());
    }
    lock.lock();
  }
}

}  // namespace atrium
