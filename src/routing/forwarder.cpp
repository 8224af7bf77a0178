#include "routing/forwarder.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <set>

#include "archive/peer_registry.h"
#include "audit/audit_trail.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/metrics.h"
#include "deid/deidentifier.h"
#include "dicom/instance_reader.h"
#include "dimse/store_scu.h"
#include "index/index_db.h"
#include "routing/job_queue.h"
#include "routing/route_matcher.h"

namespace atrium::routing {
namespace {

// The options of the de-identifying routes to the destination; nullopt when none leads there (a
// destination of such a route is no other route's: validateRoutes).
std::optional<std::set<deid::Option>> deidentifyingOptions(const std::vector<Route>& routes,
                                                           const std::string& destination) {
  std::optional<std::set<deid::Option>> options;
  for (const auto& r : routes)
    if (r.deidentify && std::find(r.destinations.begin(), r.destinations.end(), destination) != r.destinations.end()) {
      if (!options) options.emplace();
      for (const auto& o : r.deidOptions)
        if (auto opt = deid::parseOption(o)) options->insert(*opt);
    }
  return options;
}

}  // namespace

Forwarder::Forwarder(const Config& config, index::IndexDatabase& index, const PeerRegistry& peers,
                     std::filesystem::path storageRoot)
    : config_(config), index_(index), peers_(peers), storageRoot_(std::move(storageRoot)) {}

Forwarder::~Forwarder() { stop(); }

void Forwarder::start() {
  if (!config_.routes.empty()) {
    index_.setInsertHook([this](sqlite3* db, const dicom::InstanceRecord& r, const index::StoredFile& f) {
      for (const auto& d : destinationsFor(config_.routes, r, f.sourceAet))
        enqueueForward(db, d, r.study.studyInstanceUid, r.instance.sopInstanceUid, config_.retry);
      wake();  // the worker's claim queues behind this commit on the same writer
    });
  }
  int n = recoverInterruptedJobs(index_);
  if (n) log::info("jobs: ", n, " interrupted jobs queued again");
  thread_ = std::thread([this] { loop(); });
}

void Forwarder::stop() {
  stopping_ = true;
  wake();
  if (thread_.joinable()) thread_.join();
}

void Forwarder::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  cv_.notify_one();
}

void Forwarder::loop() {
  while (!stopping_) {
    try {
      runOne();
    } catch (const std::exception& e) {
      log::error("jobs: ", e.what());
    }
    // Poll once a second too: other processes (atrium push, jobs retry) add work, and back-offs end.
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, std::chrono::seconds(1), [&] { return woken_ || stopping_.load(); });
    woken_ = false;
  }
}

// One attempt in the audit trail: instances of a study sent to a peer (PS3.15 A.5.3.12, as the
// source: action R).
void Forwarder::auditSend(const ClaimedJob& job, std::size_t sent, const std::string& error) {
  if (!audit::installed() || job.items.empty()) return;
  audit::Message m;
  m.event = audit::Event::InstancesTransferred;
  m.action = 'R';
  m.outcome = error.empty() ? audit::Outcome::Success : audit::Outcome::MinorFailure;
  m.user = config_.aet;
  if (auto inst = index_.findInstance(job.items.front().sopInstanceUid)) {
    m.patientId = inst->patientId;
    m.patientName = inst->patientName;
    m.studyUid = inst->studyUid;
  }
  m.detail = "job " + std::to_string(job.id) + " to " + job.destination + ": " + std::to_string(sent) + " of " +
             std::to_string(job.items.size()) + " sent" + (error.empty() ? "" : " (" + error + ")");
  audit::record(std::move(m));
}

void Forwarder::runOne() {
  while (!stopping_) {
    auto job = claimDueJob(index_);
    if (!job) return;
    std::vector<ItemResult> results;
    std::string error;
    auto peer = peers_.find(job->destination);
    if (!peer) {
      error = "destination " + job->destination + " is not a configured peer";
      for (const auto& it : job->items) results.push_back({it.sopInstanceUid, false, error});
    } else {
      dimse::PeerAddress a = peerAddress(*peer, config_);
      std::vector<dimse::SendItem> absolute = job->items;
      for (auto& it : absolute) it.file = storageRoot_ / it.file;
      std::map<std::string, std::string> originalOf;  // de-identified SOP Instance UID -> stored one
      const auto deidOptions = deidentifyingOptions(config_.routes, job->destination);
      const bool deid = deidOptions.has_value();
      if (deid) absolute = deidentified(*deidOptions, absolute, originalOf, results);
      for (const auto& r : results)
        if (error.empty()) error = r.error;
      std::vector<const dimse::SendItem*> items;
      for (const auto& it : absolute) items.push_back(&it);
      if (!items.empty())
        dimse::sendItems(a, items, [&](const dimse::SendOutcome& o) {
          bool ok = o.success();
          char status[32];
          std::snprintf(status, sizeof status, "status 0x%04x", o.status);
          std::string why = ok ? "" : (o.error.empty() ? status : o.error);
          if (!ok && error.empty()) error = why;
          auto orig = originalOf.find(o.item->sopInstanceUid);
          results.push_back({orig == originalOf.end() ? o.item->sopInstanceUid : orig->second, ok, why});
        });
      std::error_code ec;
      if (deid)
        for (const auto& it : absolute) std::filesystem::remove(it.file, ec);
    }
    std::size_t sent = 0;
    for (const auto& r : results) sent += r.sent;
    static metrics::CounterSet<2> byOutcome("atrium_forward_instances_total",
                                            "instances sent by the send queue, by outcome", "outcome");
    static metrics::Counter& failedAttempts =
        metrics::counter("atrium_job_failures_total", "send-queue attempts that did not send every instance");
    byOutcome.at(0, "sent").add(sent);
    byOutcome.at(1, "failed").add(results.size() - sent);
    if (!error.empty()) failedAttempts.add();
    recordAttempt(index_, *job, results, error, config_.retry);
    auditSend(*job, sent, error);
    log::info("job ", job->id, " to ", job->destination, " attempt ", job->attempt, ": ", sent, " of ",
              job->items.size(), " sent", error.empty() ? "" : " (" + error + ")");
  }
}

std::vector<dimse::SendItem> Forwarder::deidentified(const std::set<deid::Option>& options,
                                                     const std::vector<dimse::SendItem>& items,
                                                     std::map<std::string, std::string>& originalOf,
                                                     std::vector<ItemResult>& refused) {
  deid::Settings settings;
  settings.options = options;
  std::vector<dimse::SendItem> out;
  try {
    deid::useArchiveKeyAndRegions(settings, config_.dataDir);
  } catch (const std::exception& e) {
    for (const auto& it : items) refused.push_back({it.sopInstanceUid, false, e.what()});
    return out;
  }
  deid::Deidentifier deidentifier(std::move(settings));
  const auto temps = storageRoot_ / "incoming";
  std::error_code ec;
  std::filesystem::create_directories(temps, ec);
  for (const auto& it : items) {
    auto temp = fs::uniqueTempPath(temps, "route-deid-");
    try {
      auto r = deidentifier.file(it.file, temp);
      auto meta = dicom::readFileMeta(temp);
      out.push_back({temp, it.sopClassUid, r.sopUid, meta.transferSyntaxUid});
      originalOf[r.sopUid] = it.sopInstanceUid;
    } catch (const std::exception& e) {
      std::filesystem::remove(temp, ec);
      // Never the original instead: the item fails (and is retried, and fails, and is named).
      refused.push_back({it.sopInstanceUid, false, std::string("not de-identified: ") + e.what()});
    }
  }
  return out;
}

}  // namespace atrium::routing
