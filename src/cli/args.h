#pragma once
// A small command-line parser: --name VALUE, --name=VALUE, repeatable options, flags, positionals.
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace atrium::cli {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Args {
 public:
  // valueOptions take a value; flags do not. Unknown options throw UsageError.
  Args(int argc, char** argv, int first, const std::set<std::string>& valueOptions, const std::set<std::string>& flags);

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

}  // namespace atrium::cli
