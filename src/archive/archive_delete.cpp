// Deleting a study, series or instance: index rows first (one transaction), then the files. A
// crash in between leaves unreferenced files, never index rows without files.
#include <set>

#include "archive/archive.h"
#include "audit/audit_trail.h"
#include "common/log.h"
#include "index/sqlite_util.h"

namespace atrium {

std::size_t Archive::remove(query::Level level, const std::string& uid, const std::string& why, const std::string& by,
                            const std::string& from) {
  const char* where = level == query::Level::Study    ? "st.study_uid=?"
                      : level == query::Level::Series ? "se.series_uid=?"
                                                      : "i.sop_uid=?";
  std::vector<std::string> paths;
  std::set<std::string> studyUids, patientIds;
  std::string error;
  bool ok = index_->write(
      [&](sqlite3* c) {
        std::vector<std::int64_t> instances;
        std::set<std::int64_t> series, studies, patients;
        index::Statement q(c, (std::string("SELECT i.pk,i.path,se.pk,st.pk,st.patient_pk,st.study_uid,p.patient_id "
                                           "FROM instances i JOIN series se ON se.pk=i.series_pk "
                                           "JOIN studies st ON st.pk=se.study_pk JOIN patients p ON p.pk=st.patient_pk "
                                           "WHERE ") +
                               where)
                                  .c_str());
        q.bind(1, uid);
        while (q.step()) {
          instances.push_back(q.integer(0));
          paths.push_back(q.text(1));
          series.insert(q.integer(2));
          studies.insert(q.integer(3));
          patients.insert(q.integer(4));
          studyUids.insert(q.text(5));
          patientIds.insert(q.text(6));
        }
        auto run = [&](const char* sql, std::int64_t key) {
          index::Statement s(c, sql);
          s.bind(1, key);
          if (std::string(sql).find("?2") != std::string::npos) s.bind(2, key);
          s.step();
        };
        for (auto pk : instances) run("DELETE FROM instances WHERE pk=?", pk);
        for (auto pk : series)
          run("DELETE FROM series WHERE pk=?1 AND NOT EXISTS (SELECT 1 FROM instances WHERE series_pk=?2)", pk);
        for (auto pk : studies)
          run("DELETE FROM studies WHERE pk=?1 AND NOT EXISTS (SELECT 1 FROM series WHERE study_pk=?2)", pk);
        for (auto pk : patients)
          run("DELETE FROM patients WHERE pk=?1 AND NOT EXISTS (SELECT 1 FROM studies WHERE patient_pk=?2)", pk);
      },
      &error);
  if (!ok) throw std::runtime_error("cannot delete from the index: " + error);
  for (const auto& p : paths) {
    std::error_code ec;
    std::filesystem::remove(store_->absolutePath(p), ec);
    if (ec) log::warn("deleted ", uid, ": cannot remove ", p, ": ", ec.message());
  }
  if (!paths.empty()) {
    audit::Message m;
    m.event = audit::Event::StudyDeleted;
    m.action = 'D';
    m.user = by;
    m.address = from;
    if (patientIds.size() == 1) m.patientId = *patientIds.begin();
    if (studyUids.size() == 1) m.studyUid = *studyUids.begin();
    m.detail = std::string(query::levelName(level)) + " " + uid + ": " + std::to_string(paths.size()) + " instances" +
               (why.empty() ? "" : " (" + why + ")");
    audit::record(std::move(m));
  }
  if (!paths.empty()) log::info("deleted ", query::levelName(level), " ", uid, ": ", paths.size(), " instances");
  return paths.size();
}

}  // namespace atrium
