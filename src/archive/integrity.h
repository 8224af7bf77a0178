#pragma once
// `atrium verify` and the scheduled check in `serve`: every indexed file re-hashed against the
// XXH3-128 checksum recorded when it was stored, and every file in storage that the index does not
// know. Read-only; safe while the archive is serving.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "index/index_db.h"

namespace atrium {

struct IntegrityProblem {
  enum class Kind { Missing, Changed, Unindexed } kind;
  std::string path;            // relative to the storage root
  std::string sopInstanceUid;  // empty for an unindexed file
  std::string detail;
};
const char* kindName(IntegrityProblem::Kind k);
// One line naming the problem: "changed: ab/cd/x.dcm instance 1.2.3 (checksum ...)".
std::string describe(const IntegrityProblem& p);

struct IntegrityReport {
  std::int64_t checked = 0, bytes = 0;
  std::vector<IntegrityProblem> problems;
  bool ok() const { return problems.empty(); }
};

// onProblem (optional) hears each problem as it is found.
IntegrityReport verifyStorage(const index::IndexDatabase& index, const std::filesystem::path& storageRoot,
                              const std::function<void(const IntegrityProblem&)>& onProblem = {});

}  // namespace atrium
