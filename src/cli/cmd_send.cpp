// atrium send HOST:PORT PATH... : C-STORE SCU over N parallel associations.
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/oflog/oflog.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/peer_options.h"
#include "cli/progress.h"
#include "dicom/dcmtk_setup.h"
#include "dicom/instance_reader.h"
#include "dimse/commitment.h"
#include "dimse/store_scu.h"

namespace atrium::cli {
namespace {

std::vector<std::filesystem::path> collectFiles(const std::vector<std::string>& paths, int& missing) {
  std::vector<std::filesystem::path> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      std::vector<std::filesystem::path> found;
      for (auto it = std::filesystem::recursive_directory_iterator(p, ec);
           !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file()) found.push_back(it->path());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (std::filesystem::is_regular_file(p, ec)) {
      files.emplace_back(p);
    } else {
      std::fprintf(stderr, "atrium send: %s: no such file or folder\n", p.c_str());
      ++missing;
    }
  }
  return files;
}

// What the command line asked for.
struct SendOptions {
  dimse::PeerAddress peer;
  int jobs = 1;
  std::vector<std::string> paths;
  bool commit = false, commitOnly = false;  // commit-only: ask about files without sending them
  dimse::CommitOptions commitOptions;
};

SendOptions parseOptions(int argc, char** argv) {
  SendOptions o;
  Args args(argc, argv, 2, commandSpec("send"));
  if (args.positionals().size() < 2) throw UsageError("usage: " + shortUsage(commandSpec("send")));
  o.commit = args.has("commit") || args.has("commit-only");
  o.commitOnly = args.has("commit-only");
  o.commitOptions.waitSeconds = args.getInt("commit-timeout", 60);
  o.commitOptions.listenPort = args.getInt("commit-port", 0);
  if (o.commitOptions.waitSeconds < 1) throw UsageError("--commit-timeout must be positive");
  if (o.commitOptions.listenPort < 0 || o.commitOptions.listenPort > 65535) throw UsageError("invalid --commit-port");
  o.peer = peerFromArgs(args, args.positionals()[0], 60);
  o.paths.assign(args.positionals().begin() + 1, args.positionals().end());
  o.peer.maxPdu = args.getInt("max-pdu", 16384);
  o.jobs = args.getInt("jobs", 1);
  if (o.jobs < 1 || o.jobs > 64) throw UsageError("--jobs must be 1-64");
  return o;
}

// The DICOM instances among the files (their meta read); others are reported and counted.
std::vector<dimse::SendItem> instancesOf(const std::vector<std::filesystem::path>& files, std::size_t& skipped) {
  std::vector<dimse::SendItem> items;
  for (const auto& f : files) {
    auto meta = dicom::readFileMeta(f);
    if (!meta.ok) {
      std::fprintf(stderr, "skipped %s: %s\n", f.c_str(), meta.message.c_str());
      ++skipped;
      continue;
    }
    if (meta.sopClassUid == UID_MediaStorageDirectoryStorage) {
      std::fprintf(stderr, "skipped %s: DICOMDIR, not an instance\n", f.c_str());
      ++skipped;
      continue;
    }
    items.push_back({f, meta.sopClassUid, meta.sopInstanceUid, meta.transferSyntaxUid});
  }
  return items;
}

struct SendTotals {
  std::size_t ok = 0, failed = 0;
  std::vector<dimse::SopRef> sent;  // what storage commitment asks about
};

// C-STORE over `jobs` associations at once, each a contiguous share (its SOP classes, and so its
// presentation contexts, stay few); one progress line, each failure named.
SendTotals sendInParallel(const dimse::PeerAddress& peer, const std::vector<dimse::SendItem>& items, int jobs) {
  Progress progress("sending", items.size());
  std::atomic<std::size_t> ok{0}, failed{0};
  std::mutex sentMutex;
  SendTotals totals;
  auto onResult = [&](const dimse::SendOutcome& o) {
    if (o.success()) {
      ++ok;
      {
        std::lock_guard lock(sentMutex);
        totals.sent.push_back({o.item->sopClassUid, o.item->sopInstanceUid});
      }
      if (o.status != 0) {
        char b[8];
        std::snprintf(b, sizeof b, "%04x", o.status);
        progress.message("warning " + o.item->file.string() + ": status 0x" + b);
      }
    } else {
      ++failed;
      char st[16] = "no response";
      if (o.sent) std::snprintf(st, sizeof st, "0x%04x", o.status);
      progress.message("FAILED " + o.item->file.string() + " (" + o.item->sopInstanceUid + "): status " + st +
                       (o.error.empty() ? "" : ": " + o.error));
    }
    progress.advance(o.success());
  };
  std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(jobs), std::max<std::size_t>(items.size(), 1));
  std::vector<std::thread> workers;
  for (std::size_t w = 0; w < n; ++w) {
    std::size_t begin = items.size() * w / n, end = items.size() * (w + 1) / n;
    workers.emplace_back([&, begin, end] {
      std::vector<const dimse::SendItem*> mine;
      for (std::size_t i = begin; i < end; ++i) mine.push_back(&items[i]);
      dimse::sendItems(peer, mine, onResult);
    });
  }
  for (auto& t : workers) t.join();
  progress.finish();
  totals.ok = ok;
  totals.failed = failed;
  return totals;
}

// Storage commitment of `refs`: one line per instance on stdout ("committed UID" or
// "not-committed UID 0xREASON"); true when every one is committed.
bool allCommitted(const dimse::PeerAddress& peer, const std::vector<dimse::SopRef>& refs,
                  const dimse::CommitOptions& options) {
  try {
    auto r = dimse::requestCommitment(peer, refs, options);
    for (const auto& c : r.committed) std::printf("committed %s\n", c.instanceUid.c_str());
    for (const auto& [f, reason] : r.failed) std::printf("not-committed %s 0x%04x\n", f.instanceUid.c_str(), reason);
    std::size_t answered = r.committed.size() + r.failed.size();
    std::fprintf(stderr, "storage commitment %s: %zu committed, %zu not committed%s\n", r.transactionUid.c_str(),
                 r.committed.size(), r.failed.size(),
                 answered == refs.size() ? "" : ", some instances missing from the report");
    return r.failed.empty() && answered == refs.size();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium send: storage commitment: %s\n", e.what());
    return false;
  }
}

}  // namespace

int runSend(int argc, char** argv) {
  SendOptions o;
  try {
    o = parseOptions(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium send: %s\n", e.what());
    return 2;
  }
  OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
  dicom::initializeDcmtk();

  int missing = 0;
  std::size_t skipped = 0;
  auto items = instancesOf(collectFiles(o.paths, missing), skipped);
  SendTotals totals;
  if (o.commitOnly) {
    for (const auto& it : items) totals.sent.push_back({it.sopClassUid, it.sopInstanceUid});
  } else {
    totals = sendInParallel(o.peer, items, o.jobs);
    std::fprintf(stderr, "sent %zu, failed %zu, skipped %zu (not DICOM)\n", totals.ok, totals.failed, skipped);
  }
  bool uncommitted = o.commit && !totals.sent.empty() && !allCommitted(o.peer, totals.sent, o.commitOptions);
  return (totals.failed > 0 || missing > 0 || uncommitted) ? 1 : 0;
}

}  // namespace atrium::cli
