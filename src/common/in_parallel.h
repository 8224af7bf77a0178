#pragma once
// A loop over indices on a few threads, for work whose items are independent (images of a cine).
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace atrium::common {

// f(i, worker) for i in 0..count-1 on up to `threads` threads (worker 0 the calling one); the first
// exception is rethrown once all have stopped.
template <typename F>
void inParallel(std::size_t count, std::size_t threads, const F& f) {
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failureMutex;
  auto work = [&](std::size_t worker) {
    try {
      for (std::size_t i = next++; i < count; i = next++) f(i, worker);
    } catch (...) {
      std::lock_guard lock(failureMutex);
      if (!failure) failure = std::current_exception();
      next = count;
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t k = 1; k < std::min(threads, count); ++k) pool.emplace_back(work, k);
  work(0);
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace atrium::common
