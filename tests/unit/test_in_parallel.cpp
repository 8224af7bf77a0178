// common::inParallel: every index exactly once, on no more workers than asked, and a failure on
// any worker reaches the caller once all have stopped.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "common/in_parallel.h"

using atrium::common::inParallel;

TEST(InParallel, EveryIndexOnceOnAtMostTheWorkersAsked) {
  for (std::size_t threads : {1u, 2u, 4u}) {
    std::vector<std::atomic<int>> seen(1000);
    std::atomic<std::size_t> topWorker{0};
    inParallel(seen.size(), threads, [&](std::size_t i, std::size_t worker) {
      ++seen[i];
      std::size_t top = topWorker;
      while (worker > top && !topWorker.compare_exchange_weak(top, worker)) {
      }
    });
    for (const auto& n : seen) ASSERT_EQ(n, 1);
    EXPECT_LT(topWorker, threads);
  }
  int calls = 0;
  inParallel(0, 4, [&](std::size_t, std::size_t) { ++calls; });
  EXPECT_EQ(calls, 0);
  inParallel(1, 4, [&](std::size_t, std::size_t worker) { calls += 1 + int(worker); });
  EXPECT_EQ(calls, 1);  // one item: the calling thread alone
}

TEST(InParallel, AFailureReachesTheCaller) {
  std::atomic<int> done{0};
  EXPECT_THROW(inParallel(100, 2,
                          [&](std::size_t i, std::size_t) {
                            if (i == 10) throw std::runtime_error("item 10");
                            ++done;
                          }),
               std::runtime_error);
  EXPECT_LT(done, 100);
}
