#include "routing/job_queue.h"

#include <algorithm>
#include <stdexcept>

#include "common/clock.h"
#include "index/index_db.h"
#include "index/sqlite_util.h"

namespace atrium::routing {
namespace {

using index::Statement;

std::int64_t backoffMs(const RetryPolicy& p, int attempts) {
  std::int64_t delay = std::int64_t(p.initialDelaySeconds) * 1000;
  for (int i = 1; i < attempts && delay < std::int64_t(p.maxDelaySeconds) * 1000; ++i) delay *= 2;
  return std::min(delay, std::int64_t(p.maxDelaySeconds) * 1000);
}

std::int64_t insertJob(sqlite3* db, const char* kind, const std::string& destination, const std::string& studyUid,
                       const RetryPolicy& policy) {
  std::int64_t now = unixMillis();
  Statement ins(db,
                "INSERT INTO jobs(kind,destination,study_uid,state,attempts,max_attempts,next_attempt_at,created_at,"
                "updated_at,last_error) VALUES(?,?,?,'pending',0,?,?,?,?,'') RETURNING pk");
  ins.bind(1, std::string(kind))
      .bind(2, destination)
      .bind(3, studyUid)
      .bind(4, std::int64_t(policy.maxAttempts))
      .bind(5, now)
      .bind(6, now)
      .bind(7, now);
  ins.step();
  return ins.integer(0);
}

JobInfo readJob(const Statement& r) {
  JobInfo j;
  j.id = r.integer(0);
  j.kind = r.text(1);
  j.destination = r.text(2);
  j.studyUid = r.text(3);
  j.state = r.text(4);
  j.attempts = static_cast<int>(r.integer(5));
  j.maxAttempts = static_cast<int>(r.integer(6));
  j.nextAttemptAt = r.integer(7);
  j.createdAt = r.integer(8);
  j.updatedAt = r.integer(9);
  j.lastError = r.text(10);
  j.total = static_cast<int>(r.integer(11));
  j.sent = static_cast<int>(r.integer(12));
  j.failed = static_cast<int>(r.integer(13));
  return j;
}

constexpr const char* kJobColumns =
    "SELECT j.pk,j.kind,j.destination,j.study_uid,j.state,j.attempts,j.max_attempts,j.next_attempt_at,j.created_at,"
    "j.updated_at,j.last_error,(SELECT count(*) FROM job_items x WHERE x.job_pk=j.pk),"
    "(SELECT count(*) FROM job_items x WHERE x.job_pk=j.pk AND x.state='sent'),"
    "(SELECT count(*) FROM job_items x WHERE x.job_pk=j.pk AND x.state='failed') FROM jobs j";

// The state of a job, "" when there is none.
std::string jobState(sqlite3* db, std::int64_t id) {
  Statement q(db, "SELECT state FROM jobs WHERE pk=?");
  q.bind(1, id);
  return q.step() ? q.text(0) : std::string();
}

void exec1(sqlite3* db, const char* sql, std::int64_t a) {
  Statement s(db, sql);
  s.bind(1, a);
  s.step();
}

}  // namespace


void enqueueForward(sqlite3* db, const std::string& destination, const std::string& studyUid, const std::string& sopUid,
                    const RetryPolicy& policy) {
  std::int64_t job = 0;
  {
    Statement q(db,
                "SELECT pk FROM jobs WHERE kind='forward' AND destination=? AND study_uid=? AND state='pending' "
                "ORDER BY pk DESC LIMIT 1");
    q.bind(1, destination).bind(2, studyUid);
    if (q.step()) job = q.integer(0);
  }
  if (!job) job = insertJob(db, "forward", destination, studyUid, policy);
  Statement i(db,
              "INSERT INTO job_items(job_pk,sop_uid,state,error) VALUES(?,?,'pending','') "
              "ON CONFLICT(job_pk,sop_uid) DO UPDATE SET state='pending',error=''");
  i.bind(1, job).bind(2, sopUid);
  i.step();
}

std::int64_t createPushJob(index::IndexDatabase& db, const std::string& studyUid, const std::string& destination,
                           const RetryPolicy& policy) {
  std::int64_t stored = 0;
  db.select(
      "SELECT count(*) FROM instances i JOIN series se ON se.pk=i.series_pk JOIN studies st ON st.pk=se.study_pk "
      "WHERE st.study_uid=?",
      {studyUid}, [&](const Statement& r) {
        stored = r.integer(0);
        return false;
      });
  if (stored == 0) throw std::runtime_error("no study " + studyUid + " is stored");
  std::int64_t job = 0;
  std::string error;
  bool ok = db.write(
      [&](sqlite3* c) {
        job = insertJob(c, "push", destination, studyUid, policy);
        Statement i(
            c,
            "INSERT INTO job_items(job_pk,sop_uid,state,error) SELECT ?,i.sop_uid,'pending','' FROM instances i "
            "JOIN series se ON se.pk=i.series_pk JOIN studies st ON st.pk=se.study_pk WHERE st.study_uid=?");
        i.bind(1, job).bind(2, studyUid);
        i.step();
      },
      &error);
  if (!ok) throw std::runtime_error(error);
  return job;
}

nlohmann::json jobJson(const JobInfo& j) {
  return {{"id", j.id},       {"kind", j.kind},         {"destination", j.destination},  {"study", j.studyUid},
          {"state", j.state}, {"attempts", j.attempts}, {"max_attempts", j.maxAttempts}, {"instances", j.total},
          {"sent", j.sent},   {"failed", j.failed},     {"last_error", j.lastError}};
}

std::vector<JobInfo> listJobs(const index::IndexDatabase& db) {
  std::vector<JobInfo> out;
  db.select(std::string(kJobColumns) + " ORDER BY j.pk", {}, [&](const Statement& r) {
    out.push_back(readJob(r));
    return true;
  });
  return out;
}

std::map<std::string, int> countJobsByState(const index::IndexDatabase& db) {
  std::map<std::string, int> out;
  db.select("SELECT state, count(*) FROM jobs GROUP BY state", {}, [&](const Statement& r) {
    out[r.text(0)] = static_cast<int>(r.integer(1));
    return true;
  });
  return out;
}

std::optional<JobInfo> getJob(const index::IndexDatabase& db, std::int64_t id) {
  std::optional<JobInfo> out;
  db.select(std::string(kJobColumns) + " WHERE j.pk=?", {id}, [&](const Statement& r) {
    out = readJob(r);
    return false;
  });
  return out;
}

bool retryJob(index::IndexDatabase& db, std::int64_t id, std::string* why) {
  bool changed = false;
  std::string state;
  db.write([&](sqlite3* c) {
    state = jobState(c, id);
    if (state.empty() || state == "done" || state == "running") return;
    exec1(c, "UPDATE job_items SET state='pending',error='' WHERE job_pk=? AND state='failed'", id);
    Statement u(c,
                "UPDATE jobs SET state='pending',attempts=0,next_attempt_at=?,updated_at=?,last_error='' WHERE pk=?");
    std::int64_t now = unixMillis();
    u.bind(1, now).bind(2, now).bind(3, id);
    u.step();
    changed = true;
  });
  if (!changed && why) *why = state.empty() ? "no such job" : "job is " + state;
  return changed;
}

bool cancelJob(index::IndexDatabase& db, std::int64_t id, std::string* why) {
  bool changed = false;
  std::string state;
  db.write([&](sqlite3* c) {
    state = jobState(c, id);
    if (state.empty() || state == "done" || state == "cancelled") return;
    Statement u(c, "UPDATE jobs SET state='cancelled',updated_at=? WHERE pk=?");
    u.bind(1, unixMillis()).bind(2, id);
    u.step();
    changed = true;
  });
  if (!changed && why) *why = state.empty() ? "no such job" : "job is already " + state;
  return changed;
}

std::optional<ClaimedJob> claimDueJob(index::IndexDatabase& db) {
  std::optional<ClaimedJob> out;
  db.write([&](sqlite3* c) {
    std::int64_t now = unixMillis();
    Statement q(c,
                "SELECT pk,destination,attempts FROM jobs WHERE state='pending' AND next_attempt_at<=? "
                "ORDER BY next_attempt_at,pk LIMIT 1");
    q.bind(1, now);
    if (!q.step()) return;
    ClaimedJob j;
    j.id = q.integer(0);
    j.destination = q.text(1);
    j.attempt = static_cast<int>(q.integer(2)) + 1;
    Statement items(
        c,
        "SELECT x.sop_uid,i.path,i.sop_class_uid,i.transfer_syntax FROM job_items x "
        "LEFT JOIN instances i ON i.sop_uid=x.sop_uid WHERE x.job_pk=? AND x.state<>'sent' ORDER BY x.rowid");
    items.bind(1, j.id);
    while (items.step()) {
      if (items.text(1).empty())
        j.missing.push_back(items.text(0));
      else
        j.items.push_back({items.text(1), items.text(2), items.text(0), items.text(3)});
    }
    Statement u(c, "UPDATE jobs SET state='running',attempts=attempts+1,updated_at=? WHERE pk=?");
    u.bind(1, now).bind(2, j.id);
    u.step();
    out = std::move(j);
  });
  return out;
}

void recordAttempt(index::IndexDatabase& db, const ClaimedJob& job, const std::vector<ItemResult>& results,
                   const std::string& error, const RetryPolicy& policy) {
  db.write([&](sqlite3* c) {
    Statement item(c, "UPDATE job_items SET state=?,error=? WHERE job_pk=? AND sop_uid=?");
    for (const auto& r : results) {
      item.bind(1, std::string(r.sent ? "sent" : "failed")).bind(2, r.error).bind(3, job.id).bind(4, r.sopUid);
      item.step();
      item.reset();
    }
    for (const auto& uid : job.missing) {
      item.bind(1, std::string("failed")).bind(2, std::string("no longer stored")).bind(3, job.id).bind(4, uid);
      item.step();
      item.reset();
    }
    Statement left(c, "SELECT count(*) FROM job_items WHERE job_pk=? AND state<>'sent'");
    left.bind(1, job.id);
    left.step();
    std::int64_t remaining = left.integer(0);
    std::int64_t now = unixMillis();
    std::string state = remaining == 0 ? "done" : job.attempt >= policy.maxAttempts ? "failed" : "pending";
    // Only missing instances left: retrying cannot help.
    if (remaining > 0 && std::int64_t(job.missing.size()) == remaining) state = "failed";
    Statement u(c,
                "UPDATE jobs SET state=?,next_attempt_at=?,updated_at=?,last_error=? WHERE pk=? AND state='running'");
    u.bind(1, state).bind(2, now + backoffMs(policy, job.attempt)).bind(3, now).bind(4, error).bind(5, job.id);
    u.step();
  });
}

int recoverInterruptedJobs(index::IndexDatabase& db) {
  int n = 0;
  db.write([&](sqlite3* c) {
    index::exec(c, "UPDATE jobs SET state='pending' WHERE state='running'");
    n = sqlite3_changes(c);
  });
  return n;
}

std::vector<std::string> destinationsThatReceived(const index::IndexDatabase& db, const std::string& studyUid) {
  std::vector<std::string> out;
  db.select("SELECT DISTINCT j.destination FROM jobs j JOIN job_items it ON it.job_pk=j.pk WHERE j.study_uid=? AND "
            "it.state='sent' ORDER BY j.destination",
            {studyUid}, [&](const index::Statement& s) {
              out.push_back(s.text(0));
              return true;
            });
  return out;
}

}  // namespace atrium::routing
