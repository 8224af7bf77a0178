// atrium jobs list|retry|cancel and atrium push: the send queue, on the data folder (the running
// server picks changes up within a second).
#include <cstdio>
#include <ctime>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/data_folder.h"
#include "config/config.h"
#include "index/index_db.h"
#include "routing/job_queue.h"

namespace atrium::cli {
namespace {

std::string isoTime(std::int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::int64_t parseId(const Args& args) {
  if (args.positionals().size() != 1) throw UsageError("give one job ID");
  try {
    std::size_t used = 0;
    long long id = std::stoll(args.positionals()[0], &used);
    if (used == args.positionals()[0].size()) return id;
  } catch (const std::exception&) {}
  throw UsageError("job ID must be a number, got '" + args.positionals()[0] + "'");
}

int list(const Args& args) {
  index::IndexDatabase db(indexFileOf(args));
  auto jobs = routing::listJobs(db);
  if (args.has("json")) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& j : jobs) {
      auto item = routing::jobJson(j);
      item["created"] = isoTime(j.createdAt);
      item["updated"] = isoTime(j.updatedAt);
      item["next_attempt"] = isoTime(j.nextAttemptAt);
      out.push_back(std::move(item));
    }
    std::printf("%s\n", out.dump().c_str());
  } else {
    for (const auto& j : jobs)
      std::printf("%lld\t%s\t%s\t%-9s\t%d/%d sent\tattempt %d/%d\t%s%s\n", static_cast<long long>(j.id), j.kind.c_str(),
                  j.destination.c_str(), j.state.c_str(), j.sent, j.total, j.attempts, j.maxAttempts,
                  j.studyUid.c_str(), j.lastError.empty() ? "" : ("\t" + j.lastError).c_str());
  }
  std::fprintf(stderr, "%zu jobs\n", jobs.size());
  return 0;
}

int change(const Args& args, bool retry) {
  std::int64_t id = parseId(args);
  index::IndexDatabase db(indexFileOf(args));
  std::string why;
  bool ok = retry ? routing::retryJob(db, id, &why) : routing::cancelJob(db, id, &why);
  if (!ok) {
    std::fprintf(stderr, "atrium jobs %s: job %lld: %s\n", retry ? "retry" : "cancel", static_cast<long long>(id),
                 why.c_str());
    return 1;
  }
  std::fprintf(stderr, "job %lld %s\n", static_cast<long long>(id), retry ? "queued again" : "cancelled");
  return 0;
}

}  // namespace

int runJobs(int argc, char** argv) {
  std::string sub = argc > 2 ? argv[2] : "";
  try {
    Args args(argc, argv, 3, commandSpec("jobs"));
    if (sub == "list") return list(args);
    if (sub == "retry") return change(args, true);
    if (sub == "cancel") return change(args, false);
    std::fputs(usageText(commandSpec("jobs")).c_str(), stderr);
    return 2;
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "atrium jobs: %s\n", e.what());
    return 2;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "atrium jobs: %s\n%s", e.what(), usageText(commandSpec("jobs")).c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium jobs %s: %s\n", sub.c_str(), e.what());
    return 1;
  }
}

int runPush(int argc, char** argv) {
  const std::string usage = "usage: " + shortUsage(commandSpec("push"));
  try {
    Args args(argc, argv, 2, commandSpec("push"));
    std::string study = args.get("study"), to = args.get("to");
    if (study.empty() || to.empty() || !args.positionals().empty()) throw UsageError(usage);
    RetryPolicy policy;
    if (args.has("config")) {
      Config config = loadConfig(args.get("config"));
      if (!config.findPeer(to)) {
        std::fprintf(stderr, "atrium push: '%s' is not a peer in %s\n", to.c_str(), args.get("config").c_str());
        return 2;
      }
      policy = config.retry;
    }
    index::IndexDatabase db(indexFileOf(args));
    std::int64_t id = routing::createPushJob(db, study, to, policy);
    auto job = routing::getJob(db, id);
    std::printf("%lld\n", static_cast<long long>(id));
    std::fprintf(stderr, "job %lld: %d instances of study %s queued for %s\n", static_cast<long long>(id),
                 job ? job->total : 0, study.c_str(), to.c_str());
    return 0;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "atrium push: %s\n", e.what());
    return 2;
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "atrium push: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium push: %s\n", e.what());
    return 1;
  }
}

}  // namespace atrium::cli
