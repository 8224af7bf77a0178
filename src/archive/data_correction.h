#pragma once
// Correcting stored data, as a department does after a scanner picked the wrong patient or put two
// exams in one study: patient and study attributes changed, two patients merged, a series moved
// into another (or a new) study. Files are rewritten beside the old ones (fsynced), the index
// updated in one transaction that also records who changed what and the swaps still to make, then
// each new file replaces its old one. A crash before the commit leaves the old state (the new
// files are temp files, removed at the next start); after it, the next start finishes the swaps.
// Each rewritten file keeps the values it had in its Original Attributes Sequence (PS3.3 C.12.1).
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "index/index_db.h"
#include "storage/file_store.h"

namespace atrium {

class Archive;

// One attribute to set: the patient and study attributes a correction may change.
struct AttributeChange {
  std::string keyword;  // PatientName, PatientID, IssuerOfPatientID, PatientBirthDate, PatientSex,
                        // AccessionNumber, StudyID, StudyDescription, ReferringPhysicianName
  std::string value;    // UTF-8 (PN as Family^Given^Middle^Prefix^Suffix); empty clears it
};
using AttributeChanges = std::vector<AttributeChange>;

struct CorrectionError : std::runtime_error {
  enum class Kind { NotFound, Invalid, Failed };
  CorrectionError(Kind k, const std::string& what) : std::runtime_error(what), kind(k) {}
  Kind kind;
};

// Checks keyword and value (VR, length, one value; a date a real date; sex M, F or O);
// CorrectionError(Invalid) naming the attribute.
AttributeChange checkedChange(const std::string& keyword, const std::string& value);

struct Actor {
  std::string user, address;  // who asked, from where (history and audit trail)
};

struct CorrectionResult {
  std::int64_t modification = 0;  // its id in the history
  std::string studyUid;           // the study as it is now
  std::size_t instances = 0;      // files rewritten
};

class DataCorrection {
 public:
  explicit DataCorrection(Archive& archive) : archive_(archive) {}

  CorrectionResult modifyStudy(const std::string& studyUid, const AttributeChanges& changes, const Actor& who);
  // Every study of patient `fromId` takes the patient attributes of patient `intoId`.
  std::vector<CorrectionResult> mergePatients(const std::string& fromId, const std::string& intoId, const Actor& who);
  // The series joins the target study (taking its patient and study attributes) or, with an empty
  // target, a new study (a new Study Instance UID; the other attributes as they were).
  CorrectionResult moveSeries(const std::string& seriesUid, const std::string& targetStudyUid, const Actor& who);

 private:
  Archive& archive_;
};

// When the archive opens, before temp files are cleared: moves into place the files of committed
// corrections that a crash interrupted. Returns how many.
std::size_t finishPendingSwaps(const storage::FileStore& store, index::IndexDatabase& index);

}  // namespace atrium
