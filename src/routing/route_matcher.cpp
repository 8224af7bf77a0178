#include "routing/route_matcher.h"

#include <algorithm>
#include <functional>
#include <map>

namespace atrium::routing {
namespace {

using Getter = std::function<const std::string&(const dicom::InstanceRecord&)>;

// The attributes an instance record holds (what the index knows), by DICOM keyword.
const std::map<std::string, Getter>& getters() {
  using R = dicom::InstanceRecord;
  static const std::map<std::string, Getter> m = {
      {"PatientID", [](const R& r) -> const std::string& { return r.patient.patientId; }},
      {"IssuerOfPatientID", [](const R& r) -> const std::string& { return r.patient.issuerOfPatientId; }},
      {"PatientName", [](const R& r) -> const std::string& { return r.patient.patientName; }},
      {"PatientBirthDate", [](const R& r) -> const std::string& { return r.patient.birthDate; }},
      {"PatientSex", [](const R& r) -> const std::string& { return r.patient.sex; }},
      {"StudyInstanceUID", [](const R& r) -> const std::string& { return r.study.studyInstanceUid; }},
      {"StudyDate", [](const R& r) -> const std::string& { return r.study.studyDate; }},
      {"StudyTime", [](const R& r) -> const std::string& { return r.study.studyTime; }},
      {"AccessionNumber", [](const R& r) -> const std::string& { return r.study.accessionNumber; }},
      {"StudyID", [](const R& r) -> const std::string& { return r.study.studyId; }},
      {"StudyDescription", [](const R& r) -> const std::string& { return r.study.studyDescription; }},
      {"ReferringPhysicianName", [](const R& r) -> const std::string& { return r.study.referringPhysicianName; }},
      {"SeriesInstanceUID", [](const R& r) -> const std::string& { return r.series.seriesInstanceUid; }},
      {"Modality", [](const R& r) -> const std::string& { return r.series.modality; }},
      {"SeriesNumber", [](const R& r) -> const std::string& { return r.series.seriesNumber; }},
      {"SeriesDescription", [](const R& r) -> const std::string& { return r.series.seriesDescription; }},
      {"BodyPartExamined", [](const R& r) -> const std::string& { return r.series.bodyPartExamined; }},
      {"ProtocolName", [](const R& r) -> const std::string& { return r.series.protocolName; }},
      {"SOPClassUID", [](const R& r) -> const std::string& { return r.instance.sopClassUid; }},
      {"SOPInstanceUID", [](const R& r) -> const std::string& { return r.instance.sopInstanceUid; }},
      {"InstanceNumber", [](const R& r) -> const std::string& { return r.instance.instanceNumber; }},
      {"TransferSyntaxUID", [](const R& r) -> const std::string& { return r.transferSyntaxUid; }},
  };
  return m;
}

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
      auto it = getters().find(m.first);
      return it != getters().end() && matchesAny(m.second, it->second(record));
    });
    if (!all) continue;
    for (const auto& d : route.destinations)
      if (std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
  }
  return out;
}

void validateRoutes(const std::vector<Route>& routes) {
  for (const auto& r : routes)
    for (const auto& m : r.match)
      if (m.first != kCallingAet && !getters().count(m.first))
        throw ConfigError(
            "config: route '" + r.name + "' matches on '" + m.first +
            "', which is not an indexed attribute (use a DICOM keyword such as Modality, or calling_aet)");
}

}  // namespace atrium::routing
