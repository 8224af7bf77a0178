#include "routing/analysis_versions.h"

#include <stdexcept>

#include "common/clock.h"
#include "index/index_db.h"
#include "index/sqlite_util.h"

namespace atrium::routing {
namespace {

constexpr const char* kColumns =
    "id,study_uid,created_at,created_by,replaces,results,rtstruct_uid,sr_uid,outputs,signed_by,signed_at,"
    "signed_sr_uid";

AnalysisVersion fromRow(const index::Statement& r) {
  AnalysisVersion v;
  v.id = r.integer(0);
  v.study = r.text(1);
  v.createdMs = r.integer(2);
  v.createdBy = r.text(3);
  if (r.integer(4) > 0) v.replaces = r.integer(4);
  v.results = nlohmann::json::parse(r.text(5), nullptr, false);
  v.rtstructUid = r.text(6);
  v.srUid = r.text(7);
  v.outputs = nlohmann::json::parse(r.text(8), nullptr, false);
  v.signedBy = r.text(9);
  v.signedMs = r.integer(10);
  v.signedSrUid = r.text(11);
  return v;
}

}  // namespace

std::int64_t addAnalysisVersion(index::IndexDatabase& index, const AnalysisVersion& v) {
  std::int64_t id = 0;
  std::string error;
  bool ok = index.write(
      [&](sqlite3* c) {
        index::Statement s(
            c,
            "INSERT INTO analysis_versions(study_uid,created_at,created_by,replaces,results,rtstruct_uid,"
            "sr_uid,outputs) VALUES(?,?,?,?,?,?,?,?)");
        s.bind(1, v.study).bind(2, unixMillis()).bind(3, v.createdBy).bind(4, v.replaces.value_or(0));
        s.bind(5, v.results.dump()).bind(6, v.rtstructUid).bind(7, v.srUid).bind(8, v.outputs.dump());
        s.step();
        id = sqlite3_last_insert_rowid(c);
      },
      &error);
  if (!ok) throw std::runtime_error("cannot record the analysis version: " + error);
  return id;
}

std::optional<AnalysisVersion> getAnalysisVersion(const index::IndexDatabase& index, std::int64_t id) {
  std::optional<AnalysisVersion> out;
  index.select(std::string("SELECT ") + kColumns + " FROM analysis_versions WHERE id=?", {id},
               [&](const index::Statement& r) {
                 out = fromRow(r);
                 return false;
               });
  return out;
}

std::vector<AnalysisVersion> analysisVersionsOf(const index::IndexDatabase& index, const std::string& study) {
  std::vector<AnalysisVersion> out;
  index.select(std::string("SELECT ") + kColumns + " FROM analysis_versions WHERE study_uid=? ORDER BY id DESC",
               {study}, [&](const index::Statement& r) {
                 out.push_back(fromRow(r));
                 return true;
               });
  return out;
}

bool signAnalysisVersion(index::IndexDatabase& index, std::int64_t id, const std::string& by,
                         const std::string& signedSrUid, std::string* why) {
  int changed = 0;
  std::string error;
  bool ok = index.write(
      [&](sqlite3* c) {
        index::Statement s(c,
                           "UPDATE analysis_versions SET signed_by=?, signed_at=?, signed_sr_uid=? "
                           "WHERE id=? AND signed_by=''");
        s.bind(1, by).bind(2, unixMillis()).bind(3, signedSrUid).bind(4, id);
        s.step();
        changed = sqlite3_changes(c);
      },
      &error);
  if (!ok) throw std::runtime_error("cannot sign the analysis version: " + error);
  if (!changed && why) *why = getAnalysisVersion(index, id) ? "already signed" : "no such version";
  return changed > 0;
}

nlohmann::json versionJson(const AnalysisVersion& v) {
  return {{"id", v.id},
          {"study", v.study},
          {"state", "done"},
          {"created_by", v.createdBy},
          {"created_ms", v.createdMs},
          {"finished_ms", v.createdMs},
          {"replaces", v.replaces ? nlohmann::json(*v.replaces) : nlohmann::json()},
          {"signed", !v.signedBy.empty()},
          {"signed_by", v.signedBy},
          {"signed_ms", v.signedMs},
          {"sr_uid", v.signedSrUid.empty() ? v.srUid : v.signedSrUid},
          {"rtstruct_uid", v.rtstructUid},
          {"output_series", v.outputs},
          {"message", ""},
          {"results", v.results}};
}

}  // namespace atrium::routing
