#include "routing/route_matcher.h"

#include <algorithm>

#include "deid/annex_e_table.h"
#include "dicom/indexed_attributes.h"

namespace atrium::routing {
namespace {

constexpr const char* kCallingAet = "calling_aet";

// Any of the '\'-separated alternatives matches.
bool matchesAny(const std::string& patterns, const std::string& value) {
  std::size_t start = 0;
  for (;;) {
    auto end = patterns.find('\\', start);
    if (wildcardMatch(patterns.substr(start, end == std::string::npos ? std::string::npos : end - start), value))
      return true;
    if (end == std::string::npos) return false;
    start = end + 1;
  }
}

}  // namespace

bool wildcardMatch(const std::string& p, const std::string& v) {
  // Iterative match with backtracking to the last '*'.
  std::size_t pi = 0, vi = 0, star = std::string::npos, mark = 0;
  while (vi < v.size()) {
    if (pi < p.size() && (p[pi] == '?' || p[pi] == v[vi])) {
      ++pi;
      ++vi;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = vi;
    } else if (star != std::string::npos) {
      pi = star + 1;
      vi = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

std::vector<std::string> destinationsFor(const std::vector<Route>& routes, const dicom::InstanceRecord& record,
                                         const std::string& callingAet) {
  std::vector<std::string> out;
  for (const auto& route : routes) {
    bool all = std::all_of(route.match.begin(), route.match.end(), [&](const auto& m) {
      if (m.first == kCallingAet) return matchesAny(m.second, callingAet);
      const auto* attribute = dicom::indexedAttribute(m.first);
      return attribute && matchesAny(m.second, attribute->value(record));
    });
    if (!all) continue;
    for (const auto& d : route.destinations)
      if (std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
  }
  return out;
}

void validateRoutes(const std::vector<Route>& routes) {
  for (const auto& r : routes) {
    for (const auto& o : r.deidOptions)
      if (!deid::parseOption(o))
        throw ConfigError("config: route '" + r.name + "': unknown de-identification option '" + o + "'");
    // A research peer gets de-identified data only: no other route may send it originals.
    for (const auto& other : routes)
      for (const auto& d : r.destinations)
        if (r.deidentify != other.deidentify &&
            std::find(other.destinations.begin(), other.destinations.end(), d) != other.destinations.end())
          throw ConfigError("config: '" + d + "' is the destination of a de-identifying route ('" +
                            (r.deidentify ? r.name : other.name) + "') and of one that is not");
  }
  for (const auto& r : routes)
    for (const auto& m : r.match)
      if (m.first != kCallingAet && !dicom::indexedAttribute(m.first))
        throw ConfigError(
            "config: route '" + r.name + "' matches on '" + m.first +
            "', which is not an indexed attribute (use a DICOM keyword such as Modality, or calling_aet)");
}

}  // namespace atrium::routing
