#include "web/elastic_pool.h"

#include <chrono>

namespace atrium::web {

namespace {
constexpr auto kExtraIdle = std::chrono::seconds(30);  // an extra worker without work this long ends
}

ElasticPool::ElasticPool(std::size_t core, std::size_t max) : core_(core), max_(std::max(core, max)) {
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < core_; ++i) {
    ++running_;
    threads_.emplace_back([this] { work(true); });
  }
}

ElasticPool::~ElasticPool() { shutdown(); }

void ElasticPool::enqueue(std::function<void()> job) {
  std::lock_guard lock(mutex_);
  if (stopping_) return;
  jobs_.push_back(std::move(job));
  if (idle_ < jobs_.size() && running_ < max_) {
    ++running_;
    threads_.emplace_back([this] { work(false); });
  }
  wake_.notify_one();
}

void ElasticPool::shutdown() {
  std::list<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
    threads.swap(threads_);
  }
  wake_.notify_all();
  for (auto& t : threads)
    if (t.joinable()) t.join();
}

std::size_t ElasticPool::threads() const {
  std::lock_guard lock(mutex_);
  return running_;
}

void ElasticPool::work(bool core) {
  std::unique_lock lock(mutex_);
  while (true) {
    ++idle_;
    bool woken = core ? (wake_.wait(lock, [&] { return stopping_ || !jobs_.empty(); }), true)
                      : wake_.wait_for(lock, kExtraIdle, [&] { return stopping_ || !jobs_.empty(); });
    --idle_;
    if (jobs_.empty() && (stopping_ || !woken)) break;  // (the jobs left are run before stopping)
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    lock.lock();
  }
  --running_;
  // An extra worker's thread object stays in threads_ (joined at shutdown); detach it if it is not
  // being joined, so an ended extra worker costs nothing.
  if (!stopping_) {
    for (auto it = threads_.begin(); it != threads_.end(); ++it)
      if (it->get_id() == std::this_thread::get_id()) {
        it->detach();
        threads_.erase(it);
        break;
      }
  }
}

}  // namespace atrium::web
