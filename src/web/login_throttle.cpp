#include "web/login_throttle.h"

#include <algorithm>

namespace atrium::web {

int LoginThrottle::lockedFor(const std::string& address, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(address);
  if (it == entries_.end() || it->second.lockedUntil <= now) return 0;
  return static_cast<int>(std::chrono::ceil<std::chrono::seconds>(it->second.lockedUntil - now).count());
}

bool LoginThrottle::failed(const std::string& address, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (entries_.size() > 100000) entries_.clear();  // bounded: a scan from many addresses cannot grow it
  Entry& e = entries_[address];
  if (e.failures == 0 || now - e.firstFailure > kWindow) {
    e.failures = 0;
    e.firstFailure = now;
  }
  if (++e.failures < kFree) return false;
  e.lastLockout = e.lastLockout.count() == 0 ? kFirstLockout : std::min(kMaxLockout, e.lastLockout * 2);
  e.lockedUntil = now + e.lastLockout;
  e.failures = 0;
  return true;
}

void LoginThrottle::succeeded(const std::string& address) {
  std::lock_guard lock(mutex_);
  entries_.erase(address);
}

}  // namespace atrium::web
