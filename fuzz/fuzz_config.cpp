// The configuration file (JSON with comments), read and checked as `serve` does at start: a
// ConfigError with one line is the expected answer to a bad file; any other exception, a crash
// or a sanitizer report is a finding.
#include <string>

#include "config/config.h"
#include "fuzz_support.h"

using namespace atrium;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    Config c = parseConfig(text);
    validateConfig(c);
  } catch (const ConfigError& e) {
    if (std::string(e.what()).empty()) std::abort();
  }
  return 0;
}
