#pragma once
// The index schema (SQLite). Versioned so later issues can migrate it.
namespace atrium::index {

constexpr int kSchemaVersion = 9;  // 2: worklist, jobs, peers; 3: analyses.outputs; 4: studies.protected;
                                   // 5: modifications, pending_swaps; 6: mpps; 7: dose;
                                   // 8: instances.attributes; 9: analysis_versions

constexpr const char* kSchemaSql = R"SQL(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS patients(
  pk INTEGER PRIMARY KEY,
  patient_key TEXT NOT NULL UNIQUE,          -- PatientID + US + IssuerOfPatientID
  patient_id TEXT NOT NULL,
  issuer TEXT NOT NULL,
  name TEXT NOT NULL,                        -- UTF-8
  birth_date TEXT NOT NULL,
  sex TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS studies(
  pk INTEGER PRIMARY KEY,
  patient_pk INTEGER NOT NULL REFERENCES patients(pk),
  study_uid TEXT NOT NULL UNIQUE,
  study_date TEXT NOT NULL,
  study_time TEXT NOT NULL,
  accession TEXT NOT NULL,
  study_id TEXT NOT NULL,
  description TEXT NOT NULL,
  referring_physician TEXT NOT NULL,
  updated_at INTEGER NOT NULL,               -- unix ms of the last instance received
  protected INTEGER NOT NULL DEFAULT 0);     -- 1: never deleted to make room (storage_full_policy)
CREATE INDEX IF NOT EXISTS studies_patient ON studies(patient_pk);

CREATE TABLE IF NOT EXISTS series(
  pk INTEGER PRIMARY KEY,
  study_pk INTEGER NOT NULL REFERENCES studies(pk),
  series_uid TEXT NOT NULL UNIQUE,
  modality TEXT NOT NULL,
  series_number TEXT NOT NULL,
  description TEXT NOT NULL,
  body_part TEXT NOT NULL,
  series_date TEXT NOT NULL,
  series_time TEXT NOT NULL,
  protocol_name TEXT NOT NULL,
  frame_of_reference_uid TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS series_study ON series(study_pk);

CREATE TABLE IF NOT EXISTS instances(
  pk INTEGER PRIMARY KEY,
  series_pk INTEGER NOT NULL REFERENCES series(pk),
  sop_uid TEXT NOT NULL UNIQUE,
  sop_class_uid TEXT NOT NULL,
  instance_number TEXT NOT NULL,
  number_of_frames TEXT NOT NULL,
  rows_ TEXT NOT NULL,
  columns_ TEXT NOT NULL,
  specific_character_set TEXT NOT NULL,
  transfer_syntax TEXT NOT NULL,
  path TEXT NOT NULL,                        -- relative to the storage root
  size INTEGER NOT NULL,
  checksum TEXT NOT NULL,                    -- XXH3-128 of the whole file
  source_aet TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  attributes TEXT NOT NULL DEFAULT '{}');    -- the other top-level attributes (DICOM JSON): return keys
CREATE INDEX IF NOT EXISTS instances_series ON instances(series_pk);
CREATE INDEX IF NOT EXISTS patients_id ON patients(patient_id);
CREATE INDEX IF NOT EXISTS patients_name ON patients(name);
CREATE INDEX IF NOT EXISTS studies_date ON studies(study_date);
CREATE INDEX IF NOT EXISTS studies_accession ON studies(accession);

-- Modality worklist: one item (as given, DICOM JSON) with one row per scheduled procedure step.
CREATE TABLE IF NOT EXISTS worklist_items(
  pk INTEGER PRIMARY KEY,
  json TEXT NOT NULL,
  patient_name TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  issuer TEXT NOT NULL,
  birth_date TEXT NOT NULL,
  sex TEXT NOT NULL,
  accession TEXT NOT NULL,
  referring_physician TEXT NOT NULL,
  requesting_physician TEXT NOT NULL,
  admission_id TEXT NOT NULL,
  requested_procedure_id TEXT NOT NULL,
  priority TEXT NOT NULL,
  study_uid TEXT NOT NULL,
  last_step_at TEXT NOT NULL,                -- YYYYMMDDHHMMSS of the latest step's end (or start)
  created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS worklist_steps(
  pk INTEGER PRIMARY KEY,
  item_pk INTEGER NOT NULL REFERENCES worklist_items(pk) ON DELETE CASCADE,
  step_index INTEGER NOT NULL,
  modality TEXT NOT NULL,
  station_aet TEXT NOT NULL,
  station_name TEXT NOT NULL,
  start_date TEXT NOT NULL,
  start_time TEXT NOT NULL,
  end_date TEXT NOT NULL,
  end_time TEXT NOT NULL,
  performing_physician TEXT NOT NULL,
  location TEXT NOT NULL,
  step_id TEXT NOT NULL,
  status TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS worklist_steps_item ON worklist_steps(item_pk);
CREATE INDEX IF NOT EXISTS worklist_steps_start ON worklist_steps(start_date);

-- Automatic cardiac analyses: one row per study, redone when newer MR images arrive.
CREATE TABLE IF NOT EXISTS analyses(
  study_uid TEXT PRIMARY KEY,
  state TEXT NOT NULL,                       -- done | skipped | failed
  input_received_at INTEGER NOT NULL,        -- the newest MR image it saw (unix ms)
  finished_at INTEGER NOT NULL,
  message TEXT NOT NULL,
  results TEXT NOT NULL,                     -- JSON (as `atrium analyze --json`)
  outputs TEXT NOT NULL DEFAULT '[]');       -- JSON: Series Instance UIDs it stored (superseded by the next)

-- Versions of a study's ventricular analysis: the automatic one and each reader's correction.
-- A row is never changed but to be signed once; corrections are new rows that name the one they
-- replace.
CREATE TABLE IF NOT EXISTS analysis_versions(
  id INTEGER PRIMARY KEY,
  study_uid TEXT NOT NULL,
  created_at INTEGER NOT NULL,               -- unix ms
  created_by TEXT NOT NULL,                  -- "automatic" or the user
  replaces INTEGER NOT NULL,                 -- the version it corrects (0: none, the automatic analysis)
  results TEXT NOT NULL,                     -- JSON (as `atrium analyze --json`)
  rtstruct_uid TEXT NOT NULL,                -- SOP Instance UIDs of its RT Structure Set and SR
  sr_uid TEXT NOT NULL,
  outputs TEXT NOT NULL,                     -- JSON: Series Instance UIDs of its objects
  signed_by TEXT NOT NULL DEFAULT '',
  signed_at INTEGER NOT NULL DEFAULT 0,
  signed_sr_uid TEXT NOT NULL DEFAULT '');   -- the verified copy of the SR
CREATE INDEX IF NOT EXISTS analysis_versions_study ON analysis_versions(study_uid);

-- Peers added at run time (REST); the config file's peers are not stored here.
CREATE TABLE IF NOT EXISTS peers(aet TEXT PRIMARY KEY, host TEXT NOT NULL, port INTEGER NOT NULL);

-- Send jobs (auto-forwarding, manual push): persistent, retried with back-off.
CREATE TABLE IF NOT EXISTS jobs(
  pk INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,                        -- forward | push
  destination TEXT NOT NULL,                 -- AE title of a configured peer
  study_uid TEXT NOT NULL,
  state TEXT NOT NULL,                       -- pending | running | done | failed | cancelled
  attempts INTEGER NOT NULL,
  max_attempts INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,          -- unix ms
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  last_error TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state, next_attempt_at);

-- Corrections of stored data (patient/study attributes, merges, series moved): who, when, what
-- (detail: JSON with the old and new values), newest last.
CREATE TABLE IF NOT EXISTS modifications(
  pk INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,                       -- unix ms
  user TEXT NOT NULL,
  address TEXT NOT NULL,
  kind TEXT NOT NULL,                        -- modify | merge | move-series
  study_uid TEXT NOT NULL,                   -- the study as it is after the change
  detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS modifications_study ON modifications(study_uid);
-- Modality Performed Procedure Steps (N-CREATE / N-SET from the modalities), and the worklist
-- steps each performs (the Scheduled Procedure Step IDs of its Scheduled Step Attributes Sequence).
CREATE TABLE IF NOT EXISTS mpps(
  sop_uid TEXT PRIMARY KEY,
  status TEXT NOT NULL,                      -- IN PROGRESS | COMPLETED | DISCONTINUED
  json TEXT NOT NULL,                        -- its attributes as they stand (DICOM JSON, UTF-8)
  patient_id TEXT NOT NULL,
  accession TEXT NOT NULL,
  scheduled_step_ids TEXT NOT NULL,          -- backslash-separated
  calling_aet TEXT NOT NULL,
  created_at INTEGER NOT NULL,               -- unix ms
  updated_at INTEGER NOT NULL);
-- Radiation dose read from X-Ray/CT Radiation Dose SRs (TID 10001/10011) on arrival: one row per
-- irradiation event; NULL where the report gives no such value.
CREATE TABLE IF NOT EXISTS dose_events(
  pk INTEGER PRIMARY KEY,
  sop_uid TEXT NOT NULL,                     -- the dose report
  study_uid TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  study_date TEXT NOT NULL,
  kind TEXT NOT NULL,                        -- CT | XRAY
  protocol TEXT NOT NULL,
  ctdivol_mgy REAL, dlp_mgycm REAL, scan_length_mm REAL, dap_gym2 REAL, dose_rp_gy REAL);
CREATE INDEX IF NOT EXISTS dose_events_patient ON dose_events(patient_id);
CREATE INDEX IF NOT EXISTS dose_events_sop ON dose_events(sop_uid);
-- Studies above a configured notification level (dose_notification_levels).
CREATE TABLE IF NOT EXISTS dose_alerts(
  pk INTEGER PRIMARY KEY,
  study_uid TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  protocol TEXT NOT NULL,                    -- the level's pattern
  quantity TEXT NOT NULL,                    -- DLP | CTDIvol
  value REAL NOT NULL,
  level REAL NOT NULL,
  at INTEGER NOT NULL,
  UNIQUE(study_uid, protocol, quantity));
-- Rewritten files whose index rows are committed but which a crash kept from replacing the old
-- file: moved into place when the archive opens (paths relative to the storage root).
CREATE TABLE IF NOT EXISTS pending_swaps(
  temp TEXT PRIMARY KEY,
  final TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS job_items(
  job_pk INTEGER NOT NULL REFERENCES jobs(pk) ON DELETE CASCADE,
  sop_uid TEXT NOT NULL,
  state TEXT NOT NULL,                       -- pending | sent | failed
  error TEXT NOT NULL,
  PRIMARY KEY(job_pk, sop_uid));
)SQL";

}  // namespace atrium::index
