#pragma once
// The persistent send queue in the index database: forwarding and manual pushes are jobs of
// instances for one destination, retried with back-off, each instance with its own status.
// A job's rows commit with the store that caused it, so a restart loses none.
#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "dimse/store_scu.h"

namespace atrium::index {
class IndexDatabase;
}

namespace atrium::routing {

// Inside the transaction that indexes the instance: append it to the destination's pending
// forward job for the same study, or open a new job.
void enqueueForward(sqlite3* db, const std::string& destination, const std::string& studyUid, const std::string& sopUid,
                    const RetryPolicy& policy);

// A manual push of every stored instance of a study; throws std::runtime_error when the study is
// not stored. Returns the job id.
std::int64_t createPushJob(index::IndexDatabase& db, const std::string& studyUid, const std::string& destination,
                           const RetryPolicy& policy);

struct JobInfo {
  std::int64_t id = 0;
  std::string kind, destination, studyUid, state, lastError;
  int attempts = 0, maxAttempts = 0;
  std::int64_t nextAttemptAt = 0, createdAt = 0, updatedAt = 0;
  int total = 0, sent = 0, failed = 0;
};
// The fields `atrium jobs list --json` and GET /api/jobs share (each adds its own time stamps).
nlohmann::json jobJson(const JobInfo& job);
std::vector<JobInfo> listJobs(const index::IndexDatabase& db);
// How many jobs are in each state (states without a job are absent): one grouped query, for
// /api/status and /metrics, which need no job's details.
std::map<std::string, int> countJobsByState(const index::IndexDatabase& db);
std::optional<JobInfo> getJob(const index::IndexDatabase& db, std::int64_t id);

// Retry: a failed, cancelled or waiting job goes again now, its unsent instances with it.
// Cancel: a job not done stops (a running attempt finishes its current instance). false if no
// such job, or it is in a state that does not allow it (message in *why).
bool retryJob(index::IndexDatabase& db, std::int64_t id, std::string* why);
bool cancelJob(index::IndexDatabase& db, std::int64_t id, std::string* why);

struct ClaimedJob {
  std::int64_t id = 0;
  std::string destination;
  int attempt = 0;                     // 1 for the first
  std::vector<dimse::SendItem> items;  // files relative to the storage root
  std::vector<std::string> missing;    // instances no longer stored
};
// The next due job, marked running; nullopt when none is due.
std::optional<ClaimedJob> claimDueJob(index::IndexDatabase& db);

struct ItemResult {
  std::string sopUid;
  bool sent = false;
  std::string error;
};
// Records an attempt: sent items done; the job done when nothing is left, else back to pending
// after the back-off, or failed once max attempts are spent. A job cancelled meanwhile stays so.
void recordAttempt(index::IndexDatabase& db, const ClaimedJob& job, const std::vector<ItemResult>& results,
                   const std::string& error, const RetryPolicy& policy);

// The peers that received at least one instance of the study (forwarded or pushed), for resending
// a corrected study to them.
std::vector<std::string> destinationsThatReceived(const index::IndexDatabase& db, const std::string& studyUid);

// After a crash: jobs left running go back to pending (their sent items stay sent).
int recoverInterruptedJobs(index::IndexDatabase& db);

}  // namespace atrium::routing
