#include "archive/data_correction.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcvrda.h>

#include <cstdlib>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>

#include "archive/archive.h"
#include "audit/audit_trail.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/log.h"
#include "dicom/indexed_attributes.h"
#include "dicom/instance_reader.h"
#include "dicom/text.h"
#include "dicom/uid.h"
#include "index/modification_log.h"

namespace atrium {
namespace {

constexpr const char* kChangeable[] = {"PatientName",     "PatientID", "IssuerOfPatientID",     "PatientBirthDate",
                                       "PatientSex",      "AccessionNumber", "StudyID",         "StudyDescription",
                                       "ReferringPhysicianName"};
constexpr const char* kPatientKeywords[] = {"PatientID", "IssuerOfPatientID", "PatientName", "PatientBirthDate",
                                            "PatientSex"};
constexpr const char* kStudyKeywords[] = {"StudyDate",   "StudyTime",        "AccessionNumber",
                                          "StudyID",     "StudyDescription", "ReferringPhysicianName"};

// One correction at a time: two on the same files would each rewrite the other's old version.
std::mutex correcting;

DcmTagKey tagOf(const std::string& keyword) {
  const auto* a = dicom::indexedAttribute(keyword);
  return DcmTagKey(a->group, a->element);
}

struct Target {
  std::string sopUid, path, studyUid;
};

std::vector<Target> targetsWhere(const index::IndexDatabase& db, const std::string& where, const std::string& value) {
  std::vector<Target> out;
  db.select("SELECT i.sop_uid, i.path, st.study_uid FROM instances i JOIN series se ON se.pk=i.series_pk "
            "JOIN studies st ON st.pk=se.study_pk JOIN patients p ON p.pk=st.patient_pk WHERE " +
                where + " ORDER BY se.pk, i.pk",
            {value}, [&](const index::Statement& s) {
              out.push_back({s.text(0), s.text(1), s.text(2)});
              return true;
            });
  return out;
}

// The values before the change, kept in the file (PS3.3 C.12.1.1.9: Original Attributes Sequence).
void keepOriginals(DcmDataset& ds, const std::vector<AttributeChange>& changes, const char* reason) {
  DcmItem* original = nullptr;
  if (ds.findOrCreateSequenceItem(DCM_OriginalAttributesSequence, original, -2).bad() || !original) return;
  DcmItem* modified = nullptr;
  original->findOrCreateSequenceItem(DCM_ModifiedAttributesSequence, modified, 0);
  for (const auto& c : changes) {
    DcmElement* e = nullptr;
    if (modified && ds.findAndGetElement(tagOf(c.keyword), e).good() && e)
      modified->insert(static_cast<DcmElement*>(e->clone()), true);
  }
  char now[32];
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(now, sizeof now, "%Y%m%d%H%M%S+0000", &tm);
  original->putAndInsertString(DCM_AttributeModificationDateTime, now);
  original->putAndInsertString(DCM_ModifyingSystem, "ATRIUM");
  original->putAndInsertString(DCM_SourceOfPreviousValues, "");
  original->putAndInsertString(DCM_ReasonForTheAttributeModification, reason);
}

// Sets the values; a value outside the data set's character set turns the data set into UTF-8 first.
void apply(DcmDataset& ds, const std::vector<AttributeChange>& changes, const std::string& sop) {
  bool needsUtf8 = false;
  for (const auto& c : changes) needsUtf8 |= !dicom::isAscii(c.value);
  OFString charset;
  ds.findAndGetOFStringArray(DCM_SpecificCharacterSet, charset);
  if (needsUtf8 && charset != "ISO_IR 192" && ds.convertToUTF8().bad())
    throw CorrectionError(CorrectionError::Kind::Failed,
                          sop + ": cannot convert its text (" + std::string(charset.c_str()) + ") to UTF-8");
  for (const auto& c : changes)
    if (ds.putAndInsertString(tagOf(c.keyword), c.value.c_str()).bad())
      throw CorrectionError(CorrectionError::Kind::Failed, sop + ": cannot set " + c.keyword);
}

struct Plan {
  std::vector<Target> targets;
  // The changes for one target (a merge and a move give every target the same; kept general).
  std::function<std::vector<AttributeChange>(const Target&)> changesFor;
  std::string newStudyUid;  // a move: the Study Instance UID the files take
  const char* kind = "modify";
  std::string studyAfter;
  nlohmann::json detail = nlohmann::json::object();
};

CorrectionResult rewrite(Archive& archive, Plan plan, const Actor& who) {
  auto& store = archive.store();
  std::vector<index::RewrittenInstance> rewritten;
  auto discard = [&] {
    std::error_code ec;
    for (const auto& r : rewritten) std::filesystem::remove(store.absolutePath(r.tempRelative), ec);
  };
  nlohmann::json changed = nlohmann::json::object();
  try {
    for (const auto& t : plan.targets) {
      const auto file = store.absolutePath(t.path);
      auto changes = plan.changesFor(t);
      if (changed.empty()) {
        // The old values as the index reads them (UTF-8), from the first file.
        auto before = dicom::readInstanceFile(file);
        for (const auto& c : changes)
          changed[c.keyword] = {{"old", before.ok() ? dicom::indexedAttribute(c.keyword)->value(before.record) : ""},
                                {"new", c.value}};
        if (!plan.newStudyUid.empty())
          changed["StudyInstanceUID"] = {{"old", t.studyUid}, {"new", plan.newStudyUid}};
      }
      DcmFileFormat ff;
      if (ff.loadFile(file.c_str()).bad() || ff.loadAllDataIntoMemory().bad())
        throw CorrectionError(CorrectionError::Kind::Failed, t.sopUid + ": cannot read " + file.string());
      DcmDataset& ds = *ff.getDataset();
      const E_TransferSyntax xfer = ds.getOriginalXfer();
      auto kept = changes;
      if (!plan.newStudyUid.empty()) kept.push_back({"StudyInstanceUID", ""});
      keepOriginals(ds, kept, "CORRECT");
      apply(ds, changes, t.sopUid);
      if (!plan.newStudyUid.empty()) ds.putAndInsertString(DCM_StudyInstanceUID, plan.newStudyUid.c_str());
      auto temp = fs::uniqueTempPath(file.parent_path(), ".");
      index::RewrittenInstance r;
      r.tempRelative = std::filesystem::relative(temp, store.root()).string();
      r.finalRelative = t.path;
      rewritten.push_back(r);
      if (ff.saveFile(temp.c_str(), xfer).bad() || fs::fsyncFile(temp))
        throw CorrectionError(CorrectionError::Kind::Failed, t.sopUid + ": cannot write " + temp.string());
      auto read = dicom::readInstanceFile(temp);
      auto sum = hash::fileChecksum(temp);
      std::error_code ec;
      auto size = std::filesystem::file_size(temp, ec);
      if (!read.ok() || !sum || ec)
        throw CorrectionError(CorrectionError::Kind::Failed, t.sopUid + ": the rewritten file does not read back");
      auto& last = rewritten.back();
      last.record = std::move(read.record);
      last.checksum = *sum;
      last.size = static_cast<std::int64_t>(size);
    }
  } catch (...) {
    discard();
    throw;
  }
  plan.detail["changes"] = changed;
  plan.detail["instances"] = rewritten.size();
  std::string error;
  auto id = index::commitModification(archive.index(), rewritten,
                                      {who.user, who.address, plan.kind, plan.studyAfter, plan.detail.dump()}, &error);
  if (!id) {
    discard();
    throw CorrectionError(CorrectionError::Kind::Failed, "the index refused the change: " + error);
  }
  // Fault injection for the crash test: dead between the commit and the swaps.
  if (const char* fault = std::getenv("ATRIUM_FAULT"); fault && std::string(fault) == "correction-after-commit")
    std::_Exit(137);
  // Committed: each new file replaces its old one (what a crash leaves here, the next start does).
  std::vector<index::PendingSwap> done;
  for (const auto& r : rewritten) {
    if (auto ec = fs::durableRename(store.absolutePath(r.tempRelative), store.absolutePath(r.finalRelative)))
      log::error("correction ", id, ": cannot move ", r.tempRelative, " into place: ", ec.message(),
                 " (retried at the next start)");
    else
      done.push_back({r.tempRelative, r.finalRelative});
  }
  index::clearSwaps(archive.index(), done);

  audit::Message m;
  m.event = audit::Event::PatientRecord;
  m.action = 'U';
  m.user = who.user;
  m.address = who.address;
  const auto& rec = rewritten.front().record;
  m.patientId = rec.patient.patientId;
  m.patientName = rec.patient.patientName;
  m.studyUid = plan.studyAfter;
  std::string names;
  for (auto it = changed.begin(); it != changed.end(); ++it) names += (names.empty() ? "" : ", ") + it.key();
  m.detail = std::string(plan.kind) + " #" + std::to_string(id) + ": " + names + " on " +
             std::to_string(rewritten.size()) + " instances";
  audit::record(m);
  log::info("correction ", id, " (", plan.kind, ") of study ", plan.studyAfter, ": ", names, " on ", rewritten.size(),
            " instances");
  return {id, plan.studyAfter, rewritten.size()};
}

// A study's patient and study attributes as the index holds them (UTF-8).
std::vector<AttributeChange> attributesOfStudy(const index::IndexDatabase& db, const std::string& studyUid,
                                               bool withStudyLevel) {
  std::vector<AttributeChange> out;
  db.select("SELECT p.patient_id, p.issuer, p.name, p.birth_date, p.sex, st.study_date, st.study_time, st.accession, "
            "st.study_id, st.description, st.referring_physician FROM studies st JOIN patients p ON "
            "p.pk=st.patient_pk WHERE st.study_uid=?",
            {studyUid}, [&](const index::Statement& s) {
              int col = 0;
              for (const char* k : kPatientKeywords) out.push_back({k, s.text(col++)});
              if (withStudyLevel)
                for (const char* k : kStudyKeywords) out.push_back({k, s.text(col++)});
              return false;
            });
  return out;
}

}  // namespace

AttributeChange checkedChange(const std::string& keyword, const std::string& value) {
  bool allowed = false;
  for (const char* k : kChangeable) allowed |= keyword == k;
  if (!allowed) {
    std::string list;
    for (const char* k : kChangeable) list += (list.empty() ? "" : ", ") + std::string(k);
    throw CorrectionError(CorrectionError::Kind::Invalid, keyword + " cannot be changed (only " + list + ")");
  }
  const auto* a = dicom::indexedAttribute(keyword);
  const std::string vr = a->vr;
  auto bad = [&](const std::string& why) {
    return CorrectionError(CorrectionError::Kind::Invalid, keyword + " '" + value + "': " + why);
  };
  for (unsigned char c : value)
    if (c < 0x20 || c == '\\') throw bad("control characters and backslashes are not allowed (one value only)");
  std::size_t chars = 0;
  for (unsigned char c : value) chars += (c & 0xC0) != 0x80;
  const std::size_t limit = vr == "SH" ? 16 : vr == "DA" ? 8 : 64;
  if (vr == "PN") {
    std::size_t group = 0;
    for (unsigned char c : value) {
      group = c == '=' ? 0 : group + ((c & 0xC0) != 0x80);
      if (group > 64) throw bad("a name group is longer than 64 characters");
    }
  } else if (chars > limit) {
    throw bad("longer than " + std::to_string(limit) + " characters (" + vr + ")");
  }
  if (vr == "DA" && !value.empty()) {
    OFDate d;
    // OFDate takes 20230231; a date of birth must be a day of the calendar.
    if (value.size() != 8 || DcmDate::getOFDateFromString(value.c_str(), d).bad() || !d.isValid())
      throw bad("not a date (YYYYMMDD)");
    static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const unsigned y = d.getYear(), m = d.getMonth(), day = d.getDay();
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m < 1 || m > 12 || day < 1 || int(day) > kDays[m - 1] || (m == 2 && day == 29 && !leap))
      throw bad("not a date (YYYYMMDD)");
  }
  if (keyword == "PatientSex" && !value.empty() && value != "M" && value != "F" && value != "O")
    throw bad("must be M, F, O or empty");
  return {keyword, value};
}

CorrectionResult DataCorrection::modifyStudy(const std::string& studyUid, const AttributeChanges& changes,
                                             const Actor& who) {
  if (changes.empty()) throw CorrectionError(CorrectionError::Kind::Invalid, "nothing to change");
  std::lock_guard lock(correcting);
  Plan plan;
  plan.targets = targetsWhere(archive_.index(), "st.study_uid=?", studyUid);
  if (plan.targets.empty()) throw CorrectionError(CorrectionError::Kind::NotFound, "no study " + studyUid);
  plan.changesFor = [&](const Target&) { return changes; };
  plan.studyAfter = studyUid;
  return rewrite(archive_, std::move(plan), who);
}

std::vector<CorrectionResult> DataCorrection::mergePatients(const std::string& fromId, const std::string& intoId,
                                                            const Actor& who) {
  if (fromId == intoId) throw CorrectionError(CorrectionError::Kind::Invalid, "a patient cannot be merged into itself");
  std::string intoStudy, fromStudy;
  archive_.index().select("SELECT st.study_uid FROM studies st JOIN patients p ON p.pk=st.patient_pk WHERE "
                          "p.patient_id=? LIMIT 1",
                          {intoId}, [&](const index::Statement& s) {
                            intoStudy = s.text(0);
                            return false;
                          });
  if (intoStudy.empty()) throw CorrectionError(CorrectionError::Kind::NotFound, "no patient " + intoId);
  auto target = attributesOfStudy(archive_.index(), intoStudy, false);
  std::vector<std::string> studies;
  archive_.index().select("SELECT st.study_uid FROM studies st JOIN patients p ON p.pk=st.patient_pk WHERE "
                          "p.patient_id=? ORDER BY st.pk",
                          {fromId}, [&](const index::Statement& s) {
                            studies.push_back(s.text(0));
                            return true;
                          });
  if (studies.empty()) throw CorrectionError(CorrectionError::Kind::NotFound, "no patient " + fromId);
  std::vector<CorrectionResult> out;
  std::lock_guard lock(correcting);
  for (const auto& study : studies) {
    Plan plan;
    plan.targets = targetsWhere(archive_.index(), "st.study_uid=?", study);
    plan.changesFor = [&](const Target&) { return target; };
    plan.kind = "merge";
    plan.studyAfter = study;
    plan.detail["from_patient"] = fromId;
    plan.detail["into_patient"] = intoId;
    out.push_back(rewrite(archive_, std::move(plan), who));
  }
  return out;
}

CorrectionResult DataCorrection::moveSeries(const std::string& seriesUid, const std::string& targetStudyUid,
                                            const Actor& who) {
  std::lock_guard lock(correcting);
  Plan plan;
  plan.targets = targetsWhere(archive_.index(), "se.series_uid=?", seriesUid);
  if (plan.targets.empty()) throw CorrectionError(CorrectionError::Kind::NotFound, "no series " + seriesUid);
  const std::string fromStudy = plan.targets.front().studyUid;
  std::vector<AttributeChange> attributes;
  if (targetStudyUid.empty()) {
    plan.newStudyUid = dicom::newUid();
  } else {
    if (targetStudyUid == fromStudy)
      throw CorrectionError(CorrectionError::Kind::Invalid, "the series is in study " + fromStudy + " already");
    attributes = attributesOfStudy(archive_.index(), targetStudyUid, true);
    if (attributes.empty()) throw CorrectionError(CorrectionError::Kind::NotFound, "no study " + targetStudyUid);
    // Study Date and Time are not corrections a user types, but a moved series takes its study's.
    plan.newStudyUid = targetStudyUid;
  }
  plan.changesFor = [&](const Target&) { return attributes; };
  plan.kind = "move-series";
  plan.studyAfter = plan.newStudyUid;
  plan.detail["series"] = seriesUid;
  plan.detail["from_study"] = fromStudy;
  return rewrite(archive_, std::move(plan), who);
}

std::size_t finishPendingSwaps(const storage::FileStore& store, index::IndexDatabase& index) {
  std::vector<index::PendingSwap> done;
  std::size_t moved = 0;
  for (const auto& s : index::pendingSwaps(index)) {
    auto temp = store.absolutePath(s.temp);
    std::error_code ec;
    // No temp file: it was moved before the crash, only the note was left.
    if (std::filesystem::exists(temp, ec)) {
      if (auto err = fs::durableRename(temp, store.absolutePath(s.final))) {
        log::error("cannot finish a correction: ", s.temp, " -> ", s.final, ": ", err.message());
        continue;
      }
      ++moved;
    }
    done.push_back(s);
  }
  if (!done.empty()) index::clearSwaps(index, done);
  if (moved) log::info("finished an interrupted correction: ", moved, " rewritten files moved into place");
  return done.size();
}

}  // namespace atrium
