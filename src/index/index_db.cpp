#include "index/index_db.h"

#include "common/clock.h"
#include "common/log.h"
#include "dicom/indexed_attributes.h"
#include "index/level_columns.h"
#include "index/schema.h"
#include "index/sqlite_util.h"

namespace atrium::index {
namespace {


using StatementFor = std::function<Statement&(const char*)>;

// One statement per level, built once (prepared statements are kept by their text's address).
struct Inserts {
  LevelColumns patient = columnsOf(dicom::RecordLevel::Patient), study = columnsOf(dicom::RecordLevel::Study),
               series = columnsOf(dicom::RecordLevel::Series), instance = columnsOf(dicom::RecordLevel::Instance);
  std::string patientSql = "INSERT INTO patients(patient_key," + patient.names + ") VALUES(?," + patient.marks +
                           ") ON CONFLICT(patient_key) DO UPDATE SET name=excluded.name, "
                           "birth_date=excluded.birth_date, sex=excluded.sex RETURNING pk";
  std::string studySql = "INSERT INTO studies(patient_pk," + study.names + ",updated_at) VALUES(?," + study.marks +
                         ",?) ON CONFLICT(study_uid) DO UPDATE SET updated_at=excluded.updated_at RETURNING pk";
  std::string seriesSql = "INSERT INTO series(study_pk," + series.names + ") VALUES(?," + series.marks +
                          ") ON CONFLICT(series_uid) DO UPDATE SET series_uid=series_uid RETURNING pk";
  std::string instanceSql = "INSERT INTO instances(series_pk," + instance.names +
                            ",path,size,checksum,source_aet,received_at,attributes) VALUES(?," + instance.marks +
                            ",?,?,?,?,?,?)";
};
const Inserts& inserts() {
  static const Inserts i;
  return i;
}

// Insert or refresh the patient/study/series rows; returns the series pk.
std::int64_t upsertHierarchy(const StatementFor& prepared, const dicom::InstanceRecord& r, std::int64_t now) {
  const Inserts& in = inserts();
  Statement& p = prepared(in.patientSql.c_str());
  p.bind(1, r.patient.patientId + '\x1f' + r.patient.issuerOfPatientId);
  bindLevel(p, 2, in.patient, r);
  p.step();
  std::int64_t patientPk = p.integer(0);
  p.reset();

  Statement& s = prepared(in.studySql.c_str());
  s.bind(1, patientPk);
  s.bind(bindLevel(s, 2, in.study, r), now);
  s.step();
  std::int64_t studyPk = s.integer(0);
  s.reset();

  Statement& se = prepared(in.seriesSql.c_str());
  se.bind(1, studyPk);
  bindLevel(se, 2, in.series, r);
  se.step();
  std::int64_t seriesPk = se.integer(0);
  se.reset();
  return seriesPk;
}

// Columns added after a table was first created (CREATE TABLE IF NOT EXISTS leaves old tables as
// they were).
void migrate(sqlite3* db) {
  bool hasOutputs = false;
  Statement q(db, "SELECT 1 FROM pragma_table_info('analyses') WHERE name='outputs'");
  hasOutputs = q.step();
  if (!hasOutputs) exec(db, "ALTER TABLE analyses ADD COLUMN outputs TEXT NOT NULL DEFAULT '[]'");
  Statement p(db, "SELECT 1 FROM pragma_table_info('studies') WHERE name='protected'");
  if (!p.step()) exec(db, "ALTER TABLE studies ADD COLUMN protected INTEGER NOT NULL DEFAULT 0");
  // Indexes made before: their instances return only the typed columns until `atrium reindex`.
  Statement a(db, "SELECT 1 FROM pragma_table_info('instances') WHERE name='attributes'");
  if (!a.step()) exec(db, "ALTER TABLE instances ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}'");
}

}  // namespace

IndexDatabase::IndexDatabase(std::filesystem::path file, bool durableCommits) : file_(std::move(file)) {
  writer_ = openDatabase(file_.string(), false);
  exec(writer_, durableCommits ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                               : "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA foreign_keys=ON;");
  exec(writer_, kSchemaSql);
  migrate(writer_);
  exec(writer_,
       ("INSERT OR REPLACE INTO meta(key,value) VALUES('schema_version','" + std::to_string(kSchemaVersion) + "')")
           .c_str());
  thread_ = std::thread([this] { writerLoop(); });
}

IndexDatabase::~IndexDatabase() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
  for (sqlite3* db : readPool_) sqlite3_close(db);
  writerStatements_.clear();
  sqlite3_close(writer_);
}

Statement& IndexDatabase::writerStatement(const char* sql) {
  auto& slot = writerStatements_[sql];
  if (!slot) slot = std::make_unique<Statement>(writer_, sql);
  return *slot;
}

void IndexDatabase::writerLoop() {
  for (;;) {
    std::deque<Job*> batch;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      batch.swap(queue_);
    }
    // One transaction for the whole group; each job in its own savepoint so one bad row
    // fails only its own store.
    std::vector<bool> ok(batch.size(), false);
    bool committed = false;
    try {
      exec(writer_, "BEGIN IMMEDIATE");
      for (std::size_t i = 0; i < batch.size(); ++i) {
        exec(writer_, "SAVEPOINT job");
        try {
          batch[i]->work(writer_);
          exec(writer_, "RELEASE job");
          ok[i] = true;
        } catch (const std::exception& e) {
          log::error("index write failed: ", e.what());
          exec(writer_, "ROLLBACK TO job; RELEASE job");
        }
      }
      exec(writer_, "COMMIT");
      committed = true;
    } catch (const std::exception& e) {
      log::error("index commit failed: ", e.what());
      sqlite3_exec(writer_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    for (std::size_t i = 0; i < batch.size(); ++i) batch[i]->committed.set_value(committed && ok[i]);
  }
}

InsertOutcome IndexDatabase::addInstance(const dicom::InstanceRecord& r, const StoredFile& f, bool replaceExisting,
                                         std::string* error) {
  InsertOutcome outcome = InsertOutcome::Failed;
  std::string err;
  Job job;
  job.work = [&](sqlite3*) {
    std::int64_t now = unixMillis();
    std::int64_t existing = 0;
    {
      Statement& q = writerStatement("SELECT pk FROM instances WHERE sop_uid=?");
      q.bind(1, r.instance.sopInstanceUid);
      if (q.step()) existing = q.integer(0);
      q.reset();
    }
    if (existing && !replaceExisting) {
      outcome = InsertOutcome::AlreadyPresent;
      return;
    }
    std::int64_t seriesPk =
        upsertHierarchy([this](const char* sql) -> Statement& { return writerStatement(sql); }, r, now);
    if (existing) {
      Statement& d = writerStatement("DELETE FROM instances WHERE pk=?");
      d.bind(1, existing);
      d.step();
      d.reset();
    }
    Statement& ins = writerStatement(inserts().instanceSql.c_str());
    ins.bind(1, seriesPk);
    int next = bindLevel(ins, 2, inserts().instance, r);
    ins.bind(next, f.relativePath).bind(next + 1, f.size).bind(next + 2, f.checksum).bind(next + 3, f.sourceAet);
    ins.bind(next + 4, now);
    ins.bind(next + 5, r.storedAttributes.empty() ? std::string("{}") : r.storedAttributes);
    ins.step();
    ins.reset();
    outcome = existing ? InsertOutcome::Replaced : InsertOutcome::Inserted;
    if (insertHook_) insertHook_(writer_, r, f);
  };
  auto fut = job.committed.get_future();
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(&job);
  }
  cv_.notify_one();
  if (!fut.get()) {
    if (error) *error = "index write failed";
    return InsertOutcome::Failed;
  }
  return outcome;
}

bool IndexDatabase::write(const std::function<void(sqlite3*)>& work, std::string* error) {
  std::string err;
  Job job;
  job.work = [&](sqlite3* db) {
    try {
      work(db);
    } catch (const std::exception& e) {
      err = e.what();
      throw;
    }
  };
  auto fut = job.committed.get_future();
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(&job);
  }
  cv_.notify_one();
  bool ok = fut.get();
  if (!ok && error) *error = err.empty() ? "index write failed" : err;
  return ok;
}

void IndexDatabase::select(sqlite3* db, const std::string& sql, const Binds& binds,
                           const std::function<bool(const Statement&)>& onRow) {
  Statement q(db, sql.c_str());
  q.bindAll(binds);
  while (q.step())
    if (!onRow(q)) break;
}

// Read connections are reused: opening one (and parsing the schema) costs more than a query.
IndexDatabase::ReadConnection IndexDatabase::readConnection() const {
  {
    std::lock_guard lock(poolMutex_);
    if (!readPool_.empty()) {
      sqlite3* db = readPool_.back();
      readPool_.pop_back();
      return ReadConnection(this, db);
    }
  }
  return ReadConnection(this, openDatabase(file_.string(), true));
}

IndexDatabase::ReadConnection::~ReadConnection() {
  if (!db) return;
  std::lock_guard lock(owner->poolMutex_);
  if (owner->readPool_.size() < 8)
    owner->readPool_.push_back(db);
  else
    sqlite3_close(db);
}

std::optional<IndexedInstance> IndexDatabase::findInstance(const std::string& uid) const {
  ReadConnection c = readConnection();
  Statement q(c.db,
              "SELECT i.sop_uid,i.sop_class_uid,st.study_uid,se.series_uid,i.transfer_syntax,i.path,i.checksum,i.size,"
              "p.patient_id,p.name FROM instances i JOIN series se ON se.pk=i.series_pk "
              "JOIN studies st ON st.pk=se.study_pk JOIN patients p ON p.pk=st.patient_pk WHERE i.sop_uid=?");
  q.bind(1, uid);
  if (!q.step()) return std::nullopt;
  IndexedInstance r{q.text(0), q.text(1), q.text(2),    q.text(3), q.text(4),
                    q.text(5), q.text(6), q.integer(7), q.text(8), q.text(9)};
  return r;
}

void IndexDatabase::select(const std::string& sql, const Binds& binds,
                           const std::function<bool(const Statement&)>& onRow) const {
  ReadConnection c = readConnection();
  select(c.db, sql, binds, onRow);
}

IndexCounts IndexDatabase::counts() const {
  ReadConnection c = readConnection();
  IndexCounts n;
  Statement q(c.db,
              "SELECT (SELECT count(*) FROM patients),(SELECT count(*) FROM studies),"
              "(SELECT count(*) FROM series),(SELECT count(*) FROM instances)");
  q.step();
  n.patients = q.integer(0);
  n.studies = q.integer(1);
  n.series = q.integer(2);
  n.instances = q.integer(3);
  return n;
}

}  // namespace atrium::index
