#include "worklist/worklist_store.h"

#include <chrono>
#include <stdexcept>

#include "index/index_db.h"
#include "index/sqlite_util.h"

namespace atrium::worklist {

std::string localDateTime(std::time_t t) {
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
  return buf;
}

std::int64_t addItem(index::IndexDatabase& db, const WorklistItem& w) {
  std::int64_t id = 0;
  std::string error;
  bool ok = db.write(
      [&](sqlite3* c) {
        using namespace std::chrono;
        index::Statement ins(c,
                             "INSERT INTO worklist_items(json,patient_name,patient_id,issuer,birth_date,sex,accession,"
                             "referring_physician,requesting_physician,admission_id,requested_procedure_id,priority,"
                             "study_uid,last_step_at,created_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING pk");
        ins.bind(1, w.json)
            .bind(2, w.patientName)
            .bind(3, w.patientId)
            .bind(4, w.issuer)
            .bind(5, w.birthDate)
            .bind(6, w.sex)
            .bind(7, w.accession)
            .bind(8, w.referringPhysician)
            .bind(9, w.requestingPhysician)
            .bind(10, w.admissionId)
            .bind(11, w.requestedProcedureId)
            .bind(12, w.priority)
            .bind(13, w.studyUid)
            .bind(14, w.lastStepAt)
            .bind(15, std::int64_t(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count()));
        ins.step();
        id = ins.integer(0);
        index::Statement step(c,
                              "INSERT INTO worklist_steps(item_pk,step_index,modality,station_aet,station_name,"
                              "start_date,start_time,end_date,end_time,performing_physician,location,step_id,status) "
                              "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)");
        for (std::size_t i = 0; i < w.steps.size(); ++i) {
          const auto& s = w.steps[i];
          step.bind(1, id)
              .bind(2, std::int64_t(i))
              .bind(3, s.modality)
              .bind(4, s.stationAet)
              .bind(5, s.stationName)
              .bind(6, s.startDate)
              .bind(7, s.startTime)
              .bind(8, s.endDate)
              .bind(9, s.endTime)
              .bind(10, s.performingPhysician)
              .bind(11, s.location)
              .bind(12, s.stepId)
              .bind(13, s.status);
          step.step();
          step.reset();
        }
      },
      &error);
  if (!ok) throw std::runtime_error("cannot store the worklist item: " + error);
  return id;
}

bool removeItem(index::IndexDatabase& db, std::int64_t id) {
  bool found = false;
  std::string error;
  bool ok = db.write(
      [&](sqlite3* c) {
        index::Statement s(c, "DELETE FROM worklist_steps WHERE item_pk=?");
        s.bind(1, id);
        s.step();
        index::Statement d(c, "DELETE FROM worklist_items WHERE pk=?");
        d.bind(1, id);
        d.step();
        found = sqlite3_changes(c) > 0;
      },
      &error);
  if (!ok) throw std::runtime_error("cannot remove the worklist item: " + error);
  return found;
}

void listItems(const index::IndexDatabase& db, const std::function<void(const ListedItem&)>& onItem) {
  db.select(
      "SELECT w.pk,w.patient_id,w.patient_name,w.accession,s.modality,s.station_aet,s.start_date,s.start_time,w.json,"
      "(SELECT count(*) FROM worklist_steps x WHERE x.item_pk=w.pk) FROM worklist_items w "
      "JOIN worklist_steps s ON s.item_pk=w.pk AND s.step_index=0 ORDER BY s.start_date,s.start_time,w.pk",
      {}, [&](const index::Statement& r) {
        ListedItem i;
        i.id = r.integer(0);
        i.patientId = r.text(1);
        i.patientName = r.text(2);
        i.accession = r.text(3);
        i.modality = r.text(4);
        i.stationAet = r.text(5);
        i.startDate = r.text(6);
        i.startTime = r.text(7);
        i.json = r.text(8);
        i.steps = static_cast<int>(r.integer(9));
        onItem(i);
        return true;
      });
}

int expireItems(index::IndexDatabase& db, int retentionHours, std::time_t now) {
  std::string cutoff = localDateTime(now - std::time_t(retentionHours) * 3600);
  int removed = 0;
  std::string error;
  bool ok = db.write(
      [&](sqlite3* c) {
        index::Statement s(c,
                           "DELETE FROM worklist_steps WHERE item_pk IN "
                           "(SELECT pk FROM worklist_items WHERE last_step_at<?)");
        s.bind(1, cutoff);
        s.step();
        index::Statement d(c, "DELETE FROM worklist_items WHERE last_step_at<?");
        d.bind(1, cutoff);
        d.step();
        removed = sqlite3_changes(c);
      },
      &error);
  if (!ok) throw std::runtime_error("cannot expire worklist items: " + error);
  return removed;
}

}  // namespace atrium::worklist
