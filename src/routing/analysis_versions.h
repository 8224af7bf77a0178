#pragma once
// The versions of a study's ventricular analysis (table analysis_versions): the automatic
// analysis's result and every correction a reader saved, each with its own DICOM objects; a version
// is signed once and then only superseded.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace atrium::index {
class IndexDatabase;
}

namespace atrium::routing {

struct AnalysisVersion {
  std::int64_t id = 0;
  std::string study, createdBy;
  std::int64_t createdMs = 0;
  std::optional<std::int64_t> replaces;
  nlohmann::json results = nlohmann::json::object();
  std::string rtstructUid, srUid;
  nlohmann::json outputs = nlohmann::json::array();
  std::string signedBy, signedSrUid;
  std::int64_t signedMs = 0;
};

// Returns the new version's id; throws std::runtime_error when the index cannot be written.
std::int64_t addAnalysisVersion(index::IndexDatabase& index, const AnalysisVersion& v);
std::optional<AnalysisVersion> getAnalysisVersion(const index::IndexDatabase& index, std::int64_t id);
std::vector<AnalysisVersion> analysisVersionsOf(const index::IndexDatabase& index, const std::string& study);
// False (why: "already signed", "no such version") when it cannot be signed.
bool signAnalysisVersion(index::IndexDatabase& index, std::int64_t id, const std::string& by,
                         const std::string& signedSrUid, std::string* why);

// Without the contours: what GET /api/analyses lists.
nlohmann::json versionJson(const AnalysisVersion& v);

}  // namespace atrium::routing
