#pragma once
// Thread-safe line logger: one line per event, timestamped, to stderr.
#include <sstream>
#include <string>

namespace atrium::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3 };

void setLevel(Level level);
Level level();
void write(Level level, const std::string& line);

template <typename... Args>
std::string concat(Args&&... args) {
  std::ostringstream out;
  (out << ... << args);
  return out.str();
}

template <typename... Args>
void debug(Args&&... a) {
  if (level() <= Level::Debug) write(Level::Debug, concat(a...));
}
template <typename... Args>
void info(Args&&... a) {
  if (level() <= Level::Info) write(Level::Info, concat(a...));
}
template <typename... Args>
void warn(Args&&... a) {
  write(Level::Warn, concat(a...));
}
template <typename... Args>
void error(Args&&... a) {
  write(Level::Error, concat(a...));
}

}  // namespace atrium::log
