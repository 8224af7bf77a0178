#pragma once
// The command-line parser: --name VALUE, --name=VALUE, repeatable options, flags, positionals. What
// a command accepts comes from its CommandSpec, the same table `--help` is printed from.
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/command_spec.h"

namespace atrium::cli {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Args {
 public:
  // Parses argv[first..]; an option the spec does not list throws UsageError naming the usage.
  Args(int argc, char** argv, int first, const CommandSpec& spec);

  bool has(const std::string& name) const { return values_.count(name) || flags_.count(name); }
  std::string get(const std::string& name, const std::string& fallback = "") const;
  int getInt(const std::string& name, int fallback) const;
  std::vector<std::string> all(const std::string& name) const;
  const std::vector<std::string>& positionals() const { return positionals_; }

 private:
  std::map<std::string, std::vector<std::string>> values_;
  std::set<std::string> flags_;
  std::vector<std::string> positionals_;
};

// True when argv[first..] asks for help (--help or -h).
bool wantsHelp(int argc, char** argv, int first);

}  // namespace atrium::cli
