// The send queue's state machine on a real index: pending -> running -> done | pending (back-off)
// | failed (attempts spent); cancel and retry from each state; a crash's running jobs recovered.
#include <gtest/gtest.h>

#include "index/index_db.h"
#include "routing/job_queue.h"
#include "temp_dir.h"

using namespace atrium;
using namespace atrium::routing;

namespace {

struct Queue {
  test::TempDir dir{"atrium-jobs"};
  index::IndexDatabase db{dir.path / "index.db"};
  RetryPolicy policy{3, 0, 0};  // three attempts, no delay: every pending job is due at once
  // n instances of study 1.2.3 indexed, and a forward job of them for PEER.
  std::int64_t forward(int n) {
    for (int i = 1; i <= n; ++i) {
      dicom::InstanceRecord r;
      r.patient.patientId = "P";
      r.study.studyInstanceUid = "1.2.3";
      r.series.seriesInstanceUid = "1.2.3.1";
      r.instance.sopClassUid = "1.2.840.10008.5.1.4.1.1.4";
      r.instance.sopInstanceUid = "1.2.3.1." + std::to_string(i);
      r.transferSyntaxUid = "1.2.840.10008.1.2.1";
      EXPECT_EQ(db.addInstance(r, {"x/" + std::to_string(i) + ".dcm", 1, "00", "TEST"}, false),
                index::InsertOutcome::Inserted);
    }
    EXPECT_TRUE(db.write([&](sqlite3* c) {
      for (int i = 1; i <= n; ++i) enqueueForward(c, "PEER", "1.2.3", "1.2.3.1." + std::to_string(i), policy);
    }));
    return listJobs(db).back().id;
  }
  JobInfo job(std::int64_t id) { return *getJob(db, id); }
  std::vector<ItemResult> results(const ClaimedJob& j, int sentCount) {
    std::vector<ItemResult> out;
    int i = 0;
    for (const auto& it : j.items) out.push_back({it.sopInstanceUid, i++<sentCount, i> sentCount ? "A700" : ""});
    return out;
  }
};

}  // namespace

TEST(JobQueue, ForwardsOfOneStudyShareAPendingJob) {
  Queue q;
  auto id = q.forward(3);
  EXPECT_EQ(listJobs(q.db).size(), 1u);
  auto j = q.job(id);
  EXPECT_EQ(j.state, "pending");
  EXPECT_EQ(j.total, 3);
  EXPECT_EQ(j.attempts, 0);
  EXPECT_EQ(j.maxAttempts, 3);
}

TEST(JobQueue, AllSentIsDone) {
  Queue q;
  auto id = q.forward(2);
  auto claimed = claimDueJob(q.db);
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->id, id);
  EXPECT_EQ(claimed->attempt, 1);
  EXPECT_EQ(q.job(id).state, "running");
  EXPECT_FALSE(claimDueJob(q.db)) << "a running job is not claimed twice";
  recordAttempt(q.db, *claimed, q.results(*claimed, 2), "", q.policy);
  auto j = q.job(id);
  EXPECT_EQ(j.state, "done");
  EXPECT_EQ(j.sent, 2);
  EXPECT_EQ(j.failed, 0);
  EXPECT_FALSE(claimDueJob(q.db));
  // A new instance of the study joins no done job: it opens a new pending one.
  ASSERT_TRUE(q.db.write([&](sqlite3* c) { enqueueForward(c, "PEER", "1.2.3", "1.2.3.1.9", q.policy); }));
  EXPECT_EQ(countJobsByState(q.db), (std::map<std::string, int>{{"done", 1}, {"pending", 1}}));
}

TEST(JobQueue, PartlySentRetriesTheRestThenFailsAfterItsAttempts) {
  Queue q;
  auto id = q.forward(3);
  auto first = claimDueJob(q.db);
  recordAttempt(q.db, *first, q.results(*first, 1), "status 0xa700", q.policy);
  auto j = q.job(id);
  EXPECT_EQ(j.state, "pending");
  EXPECT_EQ(j.sent, 1);
  EXPECT_EQ(j.attempts, 1);
  EXPECT_EQ(j.lastError, "status 0xa700");
  auto second = claimDueJob(q.db);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->items.size(), 2u) << "only what is not sent goes again";
  EXPECT_EQ(second->attempt, 2);
  recordAttempt(q.db, *second, q.results(*second, 0), "status 0xa700", q.policy);
  auto third = claimDueJob(q.db);
  recordAttempt(q.db, *third, q.results(*third, 0), "status 0xa700", q.policy);
  j = q.job(id);
  EXPECT_EQ(j.state, "failed");
  EXPECT_EQ(j.attempts, 3);
  EXPECT_EQ(j.sent, 1);
  EXPECT_EQ(j.failed, 2);
  EXPECT_FALSE(claimDueJob(q.db)) << "a failed job is not due";
}

TEST(JobQueue, CancelAndRetry) {
  Queue q;
  auto id = q.forward(2);
  std::string why;
  EXPECT_TRUE(cancelJob(q.db, id, &why));
  EXPECT_EQ(q.job(id).state, "cancelled");
  EXPECT_FALSE(claimDueJob(q.db)) << "a cancelled job is not due";
  EXPECT_FALSE(cancelJob(q.db, id, &why)) << "cancelling twice";
  EXPECT_TRUE(retryJob(q.db, id, &why));
  EXPECT_EQ(q.job(id).state, "pending");
  auto claimed = claimDueJob(q.db);
  ASSERT_TRUE(claimed);
  // Cancelled while running: the attempt's outcome is recorded, the job stays cancelled.
  EXPECT_TRUE(cancelJob(q.db, id, &why));
  recordAttempt(q.db, *claimed, q.results(*claimed, 1), "", q.policy);
  EXPECT_EQ(q.job(id).state, "cancelled");
  EXPECT_EQ(q.job(id).sent, 1);
  // Done is final.
  EXPECT_TRUE(retryJob(q.db, id, &why));
  auto again = claimDueJob(q.db);
  recordAttempt(q.db, *again, q.results(*again, 1), "", q.policy);
  EXPECT_EQ(q.job(id).state, "done");
  EXPECT_FALSE(cancelJob(q.db, id, &why));
  EXPECT_FALSE(retryJob(q.db, id, &why));
  EXPECT_FALSE(retryJob(q.db, 999, &why));
}

TEST(JobQueue, RunningJobsGoBackToPendingAfterACrash) {
  Queue q;
  auto id = q.forward(1);
  ASSERT_TRUE(claimDueJob(q.db));
  EXPECT_EQ(q.job(id).state, "running");
  EXPECT_EQ(recoverInterruptedJobs(q.db), 1);
  EXPECT_EQ(q.job(id).state, "pending");
  EXPECT_TRUE(claimDueJob(q.db));
}
