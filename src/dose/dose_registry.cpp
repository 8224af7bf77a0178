#include "dose/dose_registry.h"

#include <cctype>
#include <map>

#include "common/clock.h"
#include "index/sqlite_util.h"

namespace atrium::dose {
namespace {


void bindOptional(index::Statement& st, int i, const std::optional<double>& v) {
  if (v)
    st.bind(i, *v);
  else
    st.bind(i, std::string());  // stored as '' and read back as "no value"
}

bool match(const char* p, const char* s) {
  for (; *p; ++p, ++s) {
    if (*p == '*') {
      while (*(p + 1) == '*') ++p;
      for (const char* t = s;; ++t) {
        if (match(p + 1, t)) return true;
        if (!*t) return false;
      }
    }
    if (!*s || (*p != '?' && std::tolower(static_cast<unsigned char>(*p)) != std::tolower(static_cast<unsigned char>(*s))))
      return false;
  }
  return !*s;
}

std::optional<double> optionalColumn(const index::Statement& s, int col) {
  const std::string v = s.text(col);
  if (v.empty()) return std::nullopt;
  return std::stod(v);
}

}  // namespace

bool protocolMatches(const std::string& pattern, const std::string& protocol) {
  return match(pattern.c_str(), protocol.c_str());
}

std::vector<DoseAlert> recordDoseReport(index::IndexDatabase& db, const DoseReport& report,
                                        const std::vector<DoseNotificationLevel>& levels) {
  std::vector<DoseAlert> alerts;
  db.write([&](sqlite3* w) {
    index::Statement del(w, "DELETE FROM dose_events WHERE sop_uid=?");
    del.bind(1, report.sopUid);
    del.step();
    index::Statement ins(w,
                         "INSERT INTO dose_events(sop_uid, study_uid, patient_id, study_date, kind, protocol, ctdivol_mgy, "
                         "dlp_mgycm, scan_length_mm, dap_gym2, dose_rp_gy) VALUES(?,?,?,?,?,?,?,?,?,?,?)");
    for (const auto& e : report.events) {
      ins.bind(1, report.sopUid).bind(2, report.studyUid).bind(3, report.patientId).bind(4, report.studyDate);
      ins.bind(5, e.kind).bind(6, e.protocol);
      bindOptional(ins, 7, e.ctdivolMgy);
      bindOptional(ins, 8, e.dlpMgyCm);
      bindOptional(ins, 9, e.scanLengthMm);
      bindOptional(ins, 10, e.dapGyM2);
      bindOptional(ins, 11, e.doseRpGy);
      ins.step();
      ins.reset();
    }
    // The study as it stands now (every report of it), against each level.
    std::vector<std::pair<std::string, std::pair<std::optional<double>, std::optional<double>>>> events;
    index::Statement q(w, "SELECT protocol, ctdivol_mgy, dlp_mgycm FROM dose_events WHERE study_uid=?");
    q.bind(1, report.studyUid);
    while (q.step()) events.push_back({q.text(0), {optionalColumn(q, 1), optionalColumn(q, 2)}});
    index::Statement alert(w,
                           "INSERT OR IGNORE INTO dose_alerts(study_uid, patient_id, protocol, quantity, value, level, at) "
                           "VALUES(?,?,?,?,?,?,?)");
    auto raise = [&](const DoseNotificationLevel& l, const char* quantity, double value, double level) {
      alert.bind(1, report.studyUid).bind(2, report.patientId).bind(3, l.protocol).bind(4, std::string(quantity));
      alert.bind(5, value).bind(6, level).bind(7, unixMillis());
      alert.step();
      if (sqlite3_changes(w) > 0) alerts.push_back({report.studyUid, report.patientId, l.protocol, quantity, value, level});
      alert.reset();
    };
    for (const auto& l : levels) {
      double dlp = 0, maxCtdi = 0;
      for (const auto& [protocol, values] : events)
        if (protocolMatches(l.protocol, protocol)) {
          dlp += values.second.value_or(0);
          maxCtdi = std::max(maxCtdi, values.first.value_or(0));
        }
      if (l.dlpMgyCm > 0 && dlp > l.dlpMgyCm) raise(l, "DLP", dlp, l.dlpMgyCm);
      if (l.ctdivolMgy > 0 && maxCtdi > l.ctdivolMgy) raise(l, "CTDIvol", maxCtdi, l.ctdivolMgy);
    }
  });
  return alerts;
}

PatientDose patientDose(const index::IndexDatabase& db, const std::string& patientId, const std::string& from) {
  PatientDose out;
  std::map<std::string, std::size_t> studyIndex;
  db.select("SELECT study_uid, study_date, kind, protocol, ctdivol_mgy, dlp_mgycm, scan_length_mm, dap_gym2, "
            "dose_rp_gy FROM dose_events WHERE patient_id=? AND study_date>=? ORDER BY study_date, study_uid, pk",
            {patientId, from}, [&](const index::Statement& s) {
              auto [it, fresh] = studyIndex.emplace(s.text(0), out.studies.size());
              if (fresh) out.studies.push_back({s.text(0), s.text(1), {}, 0, 0});
              StudyDose& study = out.studies[it->second];
              DoseEvent e{s.text(2), s.text(3), optionalColumn(s, 4), optionalColumn(s, 5), optionalColumn(s, 6),
                          optionalColumn(s, 7), optionalColumn(s, 8)};
              study.totalDlpMgyCm += e.dlpMgyCm.value_or(0);
              study.totalDapGyM2 += e.dapGyM2.value_or(0);
              study.events.push_back(std::move(e));
              return true;
            });
  for (const auto& s : out.studies) {
    out.cumulativeDlpMgyCm += s.totalDlpMgyCm;
    out.cumulativeDapGyM2 += s.totalDapGyM2;
  }
  db.select("SELECT a.study_uid, a.patient_id, a.protocol, a.quantity, a.value, a.level FROM dose_alerts a WHERE "
            "a.patient_id=? ORDER BY a.pk",
            {patientId}, [&](const index::Statement& s) {
              out.alerts.push_back({s.text(0), s.text(1), s.text(2), s.text(3), std::stod(s.text(4)),
                                    std::stod(s.text(5))});
              return true;
            });
  return out;
}

}  // namespace atrium::dose
