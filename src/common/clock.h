#pragma once
// Wall-clock time as the index stores it: milliseconds since the Unix epoch.
#include <chrono>
#include <cstdint>

namespace atrium {

inline std::int64_t unixMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace atrium
