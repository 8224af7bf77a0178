#include "index/modification_log.h"

#include <set>

#include "common/clock.h"
#include "index/level_columns.h"

namespace atrium::index {
namespace {


// Upserts that take every value of the rewritten file (ingest's keep what the first file said).
struct Upserts {
  LevelColumns patient = columnsOf(dicom::RecordLevel::Patient), study = columnsOf(dicom::RecordLevel::Study),
               series = columnsOf(dicom::RecordLevel::Series);
  std::string patientSql = "INSERT INTO patients(patient_key," + patient.names + ") VALUES(?," + patient.marks +
                           ") ON CONFLICT(patient_key) DO UPDATE SET " + patient.takeAll() + " RETURNING pk";
  std::string studySql = "INSERT INTO studies(patient_pk," + study.names + ",updated_at) VALUES(?," + study.marks +
                         ",?) ON CONFLICT(study_uid) DO UPDATE SET patient_pk=excluded.patient_pk," + study.takeAll() +
                         " RETURNING pk";
  std::string seriesSql = "INSERT INTO series(study_pk," + series.names + ") VALUES(?," + series.marks +
                          ") ON CONFLICT(series_uid) DO UPDATE SET study_pk=excluded.study_pk," + series.takeAll() +
                          " RETURNING pk";
};

std::int64_t returning(Statement& st) {
  st.step();
  std::int64_t pk = st.integer(0);
  st.reset();
  return pk;
}

}  // namespace

std::int64_t commitModification(IndexDatabase& db, const std::vector<RewrittenInstance>& files,
                                const ModificationEntry& entry, std::string* error) {
  static const Upserts up;
  std::int64_t id = 0;
  bool ok = db.write(
      [&](sqlite3* w) {
        const std::int64_t now = unixMillis();
        // Where the instances were: those studies and patients may be left empty.
        std::set<std::int64_t> oldStudies, oldPatients;
        Statement where(w,
                        "SELECT st.pk, st.patient_pk FROM instances i JOIN series se ON i.series_pk=se.pk "
                        "JOIN studies st ON se.study_pk=st.pk WHERE i.sop_uid=?");
        for (const auto& f : files) {
          where.bind(1, f.record.instance.sopInstanceUid);
          if (where.step()) {
            oldStudies.insert(where.integer(0));
            oldPatients.insert(where.integer(1));
          }
          where.reset();
        }
        Statement patient(w, up.patientSql.c_str()), study(w, up.studySql.c_str()), series(w, up.seriesSql.c_str());
        Statement instance(w,
                           "UPDATE instances SET series_pk=?, size=?, checksum=?, attributes=? WHERE sop_uid=?");
        Statement swap(w, "INSERT OR REPLACE INTO pending_swaps(temp, final) VALUES(?,?)");
        for (const auto& f : files) {
          const auto& r = f.record;
          patient.bind(1, r.patient.patientId + '\x1f' + r.patient.issuerOfPatientId);
          bindLevel(patient, 2, up.patient, r);
          std::int64_t patientPk = returning(patient);
          study.bind(1, patientPk);
          study.bind(bindLevel(study, 2, up.study, r), now);
          std::int64_t studyPk = returning(study);
          series.bind(1, studyPk);
          bindLevel(series, 2, up.series, r);
          std::int64_t seriesPk = returning(series);
          instance.bind(1, seriesPk).bind(2, f.size).bind(3, f.checksum);
          instance.bind(4, r.storedAttributes.empty() ? std::string("{}") : r.storedAttributes);
          instance.bind(5, r.instance.sopInstanceUid);
          instance.step();
          instance.reset();
          swap.bind(1, f.tempRelative).bind(2, f.finalRelative);
          swap.step();
          swap.reset();
        }
        Statement dropStudy(w, "DELETE FROM studies WHERE pk=? AND NOT EXISTS (SELECT 1 FROM series WHERE study_pk=?)");
        for (auto pk : oldStudies) {
          dropStudy.bind(1, pk).bind(2, pk);
          dropStudy.step();
          dropStudy.reset();
        }
        Statement dropPatient(w,
                              "DELETE FROM patients WHERE pk=? AND NOT EXISTS (SELECT 1 FROM studies WHERE patient_pk=?)");
        for (auto pk : oldPatients) {
          dropPatient.bind(1, pk).bind(2, pk);
          dropPatient.step();
          dropPatient.reset();
        }
        Statement log(w,
                      "INSERT INTO modifications(at, user, address, kind, study_uid, detail) VALUES(?,?,?,?,?,?) "
                      "RETURNING pk");
        log.bind(1, now).bind(2, entry.user).bind(3, entry.address).bind(4, entry.kind).bind(5, entry.studyUid);
        log.bind(6, entry.detail);
        id = returning(log);
      },
      error);
  return ok ? id : 0;
}

std::vector<ModificationRow> modificationsOf(const IndexDatabase& db, const std::string& studyUid) {
  std::vector<ModificationRow> rows;
  // A merge or a move names the study it came from in its detail ("from_study").
  db.select("SELECT pk, at, user, address, kind, study_uid, detail FROM modifications WHERE study_uid=? OR "
            "json_extract(detail, '$.from_study')=? ORDER BY pk",
            {studyUid, studyUid}, [&](const Statement& s) {
              rows.push_back({s.integer(0), s.integer(1), s.text(2), s.text(3), s.text(4), s.text(5), s.text(6)});
              return true;
            });
  return rows;
}

std::vector<PendingSwap> pendingSwaps(const IndexDatabase& db) {
  std::vector<PendingSwap> out;
  db.select("SELECT temp, final FROM pending_swaps", {}, [&](const Statement& s) {
    out.push_back({s.text(0), s.text(1)});
    return true;
  });
  return out;
}

bool clearSwaps(IndexDatabase& db, const std::vector<PendingSwap>& done) {
  return db.write([&](sqlite3* w) {
    Statement del(w, "DELETE FROM pending_swaps WHERE temp=?");
    for (const auto& s : done) {
      del.bind(1, s.temp);
      del.step();
      del.reset();
    }
  });
}

}  // namespace atrium::index
