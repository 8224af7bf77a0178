#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace atrium::cli {

Progress::Progress(std::string label, std::size_t total)
    : label_(std::move(label)), total_(total), tty_(::isatty(STDERR_FILENO) != 0) {}

void Progress::draw() {
  if (tty_) {
    constexpr int width = 30;
    int filled = total_ ? static_cast<int>(width * done_ / total_) : width;
    std::fprintf(stderr, "\r%s [%.*s%*s] %zu/%zu, %zu failed", label_.c_str(), filled, "##############################",
                 width - filled, "", done_, total_, failed_);
    std::fflush(stderr);
  } else {
    std::size_t pct = total_ ? 100 * done_ / total_ : 100;
    if (pct >= lastPlainPercent_ + 10 || done_ == total_) {
      lastPlainPercent_ = pct;
      std::fprintf(stderr, "%s: %zu/%zu (%zu%%), %zu failed\n", label_.c_str(), done_, total_, pct, failed_);
    }
  }
}

void Progress::advance(bool ok) {
  std::lock_guard lock(mutex_);
  ++done_;
  if (!ok) ++failed_;
  draw();
}

void Progress::message(const std::string& line) {
  std::lock_guard lock(mutex_);
  if (tty_) std::fputs("\r\033[K", stderr);
  std::fprintf(stderr, "%s\n", line.c_str());
  if (tty_) draw();
}

void Progress::finish() {
  std::lock_guard lock(mutex_);
  if (tty_) std::fputs("\n", stderr);
}

}  // namespace atrium::cli
