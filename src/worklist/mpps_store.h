#pragma once
// Performed procedure steps in the index, and what they do to the worklist: a step IN PROGRESS
// marks its scheduled steps STARTED, a COMPLETED one takes them off the worklist, a DISCONTINUED
// one leaves them on it marked DISCONTINUED (to be done again). A step that ended never changes.
#include <cstdint>
#include <string>
#include <vector>

#include "index/index_db.h"

class DcmDataset;

namespace atrium::worklist {

// DIMSE statuses of PS3.4 F.7.2 (see dimse/mpps.h); *error says why when not 0.
std::uint16_t createPerformedStep(index::IndexDatabase& db, const std::string& uid, DcmDataset& attributes,
                                  const std::string& callingAet, std::string& error);
std::uint16_t setPerformedStep(index::IndexDatabase& db, const std::string& uid, DcmDataset& modifications,
                               std::string& error);

struct PerformedStep {
  std::string uid, status, patientId, accession, scheduledStepIds, callingAet, json;
  std::int64_t createdAt = 0, updatedAt = 0;
};
// Newest first.
std::vector<PerformedStep> listPerformedSteps(const index::IndexDatabase& db, std::size_t limit = 500);

}  // namespace atrium::worklist
