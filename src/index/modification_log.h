#pragma once
// The index side of correcting stored data: one transaction that gives the hierarchy the values of
// the rewritten files (a study moving to another patient, a series to another study), records who
// changed what, and notes the file swaps still to do; the history; the swaps a crash left undone.
#include <cstdint>
#include <string>
#include <vector>

#include "dicom/instance_record.h"
#include "index/index_db.h"

namespace atrium::index {

struct RewrittenInstance {
  dicom::InstanceRecord record;  // read from the new file
  std::string tempRelative;      // the new file, beside the old one (relative to the storage root)
  std::string finalRelative;     // the old file's path, which the new one replaces
  std::int64_t size = 0;
  std::string checksum;
};

struct ModificationEntry {
  std::string user, address, kind, studyUid;
  std::string detail;  // JSON
};

struct ModificationRow {
  std::int64_t id = 0, at = 0;
  std::string user, address, kind, studyUid, detail;
};

// Studies and patients left without instances go. Returns the modification's id; 0 and *error
// when the transaction failed (nothing changed).
std::int64_t commitModification(IndexDatabase& db, const std::vector<RewrittenInstance>& files,
                                 const ModificationEntry& entry, std::string* error);

// The history of a study (its modifications, and those of studies that were merged into it), oldest first.
std::vector<ModificationRow> modificationsOf(const IndexDatabase& db, const std::string& studyUid);

struct PendingSwap {
  std::string temp, final;
};
std::vector<PendingSwap> pendingSwaps(const IndexDatabase& db);
bool clearSwaps(IndexDatabase& db, const std::vector<PendingSwap>& done);

}  // namespace atrium::index
