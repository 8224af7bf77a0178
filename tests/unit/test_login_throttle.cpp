#include <gtest/gtest.h>

#include "web/login_throttle.h"

using atrium::web::LoginThrottle;
using namespace std::chrono_literals;

TEST(LoginThrottle, FiveFailuresLockTheAddressAndTheLockoutDoubles) {
  LoginThrottle t;
  auto now = LoginThrottle::Clock::now();
  for (int i = 1; i < LoginThrottle::kFree; ++i) EXPECT_FALSE(t.failed("10.0.0.1", now));
  EXPECT_EQ(t.lockedFor("10.0.0.1", now), 0);
  EXPECT_TRUE(t.failed("10.0.0.1", now));
  EXPECT_EQ(t.lockedFor("10.0.0.1", now), 60);
  EXPECT_EQ(t.lockedFor("10.0.0.2", now), 0) << "other addresses are not affected";
  now += 61s;
  EXPECT_EQ(t.lockedFor("10.0.0.1", now), 0);
  for (int i = 0; i < LoginThrottle::kFree; ++i) t.failed("10.0.0.1", now);
  EXPECT_EQ(t.lockedFor("10.0.0.1", now), 120) << "the next lockout is twice as long";
  now += 121s;
  t.succeeded("10.0.0.1");
  for (int i = 1; i < LoginThrottle::kFree; ++i) t.failed("10.0.0.1", now);
  EXPECT_EQ(t.lockedFor("10.0.0.1", now), 0) << "a success starts over";
}

TEST(LoginThrottle, FailuresOutsideTheWindowDoNotAddUp) {
  LoginThrottle t;
  auto now = LoginThrottle::Clock::now();
  for (int i = 0; i < 20; ++i) {
    EXPECT_FALSE(t.failed("10.0.0.1", now));
    now += 100s;  // 20 failures, but never five within five minutes
  }
  EXPECT_EQ(t.lockedFor("10.0.0.1", now), 0);
}

TEST(LoginThrottle, TheLockoutStopsAtFifteenMinutes) {
  LoginThrottle t;
  auto now = LoginThrottle::Clock::now();
  int last = 0;
  for (int round = 0; round < 8; ++round) {
    for (int i = 0; i < LoginThrottle::kFree; ++i) t.failed("a", now);
    last = t.lockedFor("a", now);
    now += std::chrono::seconds(last + 1);
  }
  EXPECT_EQ(last, 900);
}
