#include "cli/args.h"

namespace atrium::cli {

Args::Args(int argc, char** argv, int first, const CommandSpec& spec) {
  std::set<std::string> valueOptions, flags;
  for (const auto& o : spec.options) (o.value.empty() ? flags : valueOptions).insert(o.name);
  const std::string see = " (usage: " + shortUsage(spec) + "; atrium " + spec.name + " --help lists the options)";
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-k") a = "--key";  // findscu-style query keys
    if (a.rfind("--", 0) != 0 || a == "--") {
      positionals_.push_back(a);
      continue;
    }
    std::string name = a.substr(2), value;
    bool inlineValue = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inlineValue = true;
    }
    if (flags.count(name)) {
      if (inlineValue) throw UsageError("option --" + name + " takes no value" + see);
      flags_.insert(name);
    } else if (valueOptions.count(name)) {
      if (!inlineValue) {
        if (i + 1 >= argc) throw UsageError("option --" + name + " needs a value" + see);
        value = argv[++i];
      }
      values_[name].push_back(value);
    } else {
      throw UsageError("unknown option --" + name + see);
    }
  }
}

std::string Args::get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second.back();
}

int Args::getInt(const std::string& name, int fallback) const {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  try {
    std::size_t used = 0;
    int v = std::stoi(it->second.back(), &used);
    if (used != it->second.back().size()) throw std::invalid_argument(name);
    return v;
  } catch (const std::exception&) {
    throw UsageError("option --" + name + " needs a number, got '" + it->second.back() + "'");
  }
}

std::vector<std::string> Args::all(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

bool wantsHelp(int argc, char** argv, int first) {
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") return false;
    if (a == "--help" || a == "-h") return true;
  }
  return false;
}

}  // namespace atrium::cli
