#pragma once
// The HTTP server's workers. cpp-httplib hands a connection to a worker before a byte of its
// request has been read, and the worker waits on it (up to the read timeout per read). A fixed pool
// is then held by a few slow clients (slowloris: a header byte every few seconds) and every real
// request queues behind them. This pool keeps `core` workers and, when none is free, starts another
// (up to `max`), which ends after a while without work: slow connections cost a thread each, not
// the server's answers.
#include <httplib.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <thread>

namespace atrium::web {

class ElasticPool : public httplib::TaskQueue {
 public:
  ElasticPool(std::size_t core, std::size_t max);
  ~ElasticPool() override;
  void enqueue(std::function<void()> job) override;
  void shutdown() override;

  std::size_t threads() const;

 private:
  void work(bool core);

  const std::size_t core_, max_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  std::list<std::thread> threads_;
  std::size_t running_ = 0, idle_ = 0;
  bool stopping_ = false;
};

}  // namespace atrium::web
