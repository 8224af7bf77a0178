#pragma once
// Repeated failed logins from one address: after kFree failures within kWindow, every request from
// it is answered 429 for a lockout that doubles with each further lockout (1 min up to 15 min);
// a successful login clears the address. Passwords cannot be guessed at network speed.
#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace atrium::web {

class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr int kFree = 5;
  static constexpr std::chrono::seconds kWindow{300}, kFirstLockout{60}, kMaxLockout{900};

  // Seconds the address must still wait (0: it may try).
  int lockedFor(const std::string& address, Clock::time_point now = Clock::now());
  // A failed login; true when it starts a lockout.
  bool failed(const std::string& address, Clock::time_point now = Clock::now());
  void succeeded(const std::string& address);

 private:
  struct Entry {
    int failures = 0;
    Clock::time_point firstFailure{}, lockedUntil{};
    std::chrono::seconds lastLockout{0};
  };
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

}  // namespace atrium::web
