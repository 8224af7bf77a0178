#pragma once
// Runs the send queue inside `atrium serve`: one worker takes due jobs (including those added by
// `atrium push` / `atrium jobs retry` from another process) and sends them to their peers.
// A destination that is down only delays its own jobs; storing never waits for it.
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "deid/annex_e_table.h"
#include "dimse/store_scu.h"

namespace atrium {
class PeerRegistry;
}
namespace atrium::index {
class IndexDatabase;
}

namespace atrium::routing {

struct ClaimedJob;
struct ItemResult;

class Forwarder {
 public:
  Forwarder(const Config& config, index::IndexDatabase& index, const PeerRegistry& peers,
            std::filesystem::path storageRoot);
  ~Forwarder();
  // Installs the routing rules on the index (jobs commit with the stores) and starts the worker.
  void start();
  void stop();
  void wake();

 private:
  void loop();
  void runOne();
  void auditSend(const ClaimedJob& job, std::size_t sent, const std::string& error);

  // A destination of a de-identifying route gets de-identified copies, made just before sending.
  std::vector<dimse::SendItem> deidentified(const std::set<deid::Option>& options,
                                            const std::vector<dimse::SendItem>& items,
                                            std::map<std::string, std::string>& originalOf,
                                            std::vector<ItemResult>& refused);

  const Config& config_;
  index::IndexDatabase& index_;
  const PeerRegistry& peers_;
  std::filesystem::path storageRoot_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable cv_;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace atrium::routing
