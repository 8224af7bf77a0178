#pragma once
// The scheduled `verify` inside `serve` (verify_interval_h): every stored file re-hashed, each
// problem logged as an error, the outcome in /metrics. The first run comes one interval after start.
#include <condition_variable>
#include <mutex>
#include <thread>

#include "config/config.h"

namespace atrium {

class Archive;

class IntegrityScheduler {
 public:
  IntegrityScheduler(const Config& config, Archive& archive) : config_(config), archive_(archive) {}
  ~IntegrityScheduler() { stop(); }
  void start();
  void stop();

 private:
  void loop();
  const Config& config_;
  Archive& archive_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace atrium
