#pragma once
// Worklist items in the index database. Used by `atrium worklist` on the data folder (also while
// the server runs: SQLite serializes the writers) and by the server itself.
#include <cstdint>
#include <ctime>
#include <functional>
#include <string>

#include "worklist/worklist_item.h"

namespace atrium::index {
class IndexDatabase;
}

namespace atrium::worklist {

// Returns the new item's id; throws std::runtime_error when the index cannot be written.
std::int64_t addItem(index::IndexDatabase& db, const WorklistItem& item);
// false if there was no such item.
bool removeItem(index::IndexDatabase& db, std::int64_t id);

struct ListedItem {
  std::int64_t id = 0;
  std::string patientId, patientName, accession, modality, stationAet, startDate, startTime, json;
  int steps = 0;
};
void listItems(const index::IndexDatabase& db, const std::function<void(const ListedItem&)>& onItem);

// Removes the items whose last step ended more than retentionHours before now; returns how many.
int expireItems(index::IndexDatabase& db, int retentionHours, std::time_t now);
// Local date-time "YYYYMMDDHHMMSS" (worklist dates and times are local, PS3.5).
std::string localDateTime(std::time_t t);

}  // namespace atrium::worklist
