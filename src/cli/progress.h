#pragma once
// Progress for long CLI jobs: a bar redrawn in place on a terminal, plain lines otherwise.
#include <cstddef>
#include <mutex>
#include <string>

namespace atrium::cli {

class Progress {
 public:
  Progress(std::string label, std::size_t total);
  void advance(bool ok);
  // A message line that does not break the bar.
  void message(const std::string& line);
  void finish();

 private:
  void draw();
  std::string label_;
  std::size_t total_, done_ = 0, failed_ = 0, lastPlainPercent_ = 0;
  bool tty_;
  std::mutex mutex_;
};

}  // namespace atrium::cli
