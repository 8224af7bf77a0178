#include "archive/integrity.h"

#include <set>

#include "common/fs.h"
#include "common/hash.h"

namespace atrium {

const char* kindName(IntegrityProblem::Kind k) {
  switch (k) {
    case IntegrityProblem::Kind::Missing:
      return "missing";
    case IntegrityProblem::Kind::Changed:
      return "changed";
    case IntegrityProblem::Kind::Unindexed:
      return "unindexed";
  }
  return "?";
}

std::string describe(const IntegrityProblem& p) {
  return std::string(kindName(p.kind)) + ": " + p.path + (p.sopInstanceUid.empty() ? "" : " instance ") +
         p.sopInstanceUid + " (" + p.detail + ")";
}

namespace {

// Files under the storage root that could be instances: not temp files, not the folders where
// uploads and probes are staged.
std::set<std::string> filesOnDisk(const std::filesystem::path& root) {
  std::set<std::string> out;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    auto rel = std::filesystem::relative(it->path(), root, ec).generic_string();
    if (it->is_directory() && rel == "incoming") {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file() || fs::isTempName(it->path()) || it->path().filename().string().starts_with("."))
      continue;
    out.insert(rel);
  }
  return out;
}

}  // namespace

IntegrityReport verifyStorage(const index::IndexDatabase& index, const std::filesystem::path& root,
                              const std::function<void(const IntegrityProblem&)>& onProblem) {
  IntegrityReport report;
  auto add = [&](IntegrityProblem p) {
    if (onProblem) onProblem(p);
    report.problems.push_back(std::move(p));
  };
  // The folder is listed before the index is read: a file stored meanwhile is then either not
  // listed or already indexed, never reported as unindexed for having raced the index commit.
  auto onDisk = filesOnDisk(root);
  struct Row {
    std::string path, uid, checksum;
    std::int64_t size;
  };
  std::vector<Row> rows;
  index.select("SELECT path, sop_uid, checksum, size FROM instances ORDER BY path", {}, [&](const index::Statement& s) {
    rows.push_back({s.text(0), s.text(1), s.text(2), s.integer(3)});
    return true;
  });
  for (const auto& r : rows) {
    onDisk.erase(r.path);
    auto file = root / r.path;
    std::error_code ec;
    auto size = std::filesystem::file_size(file, ec);
    if (ec) {
      add({IntegrityProblem::Kind::Missing, r.path, r.uid, ec.message()});
      continue;
    }
    ++report.checked;
    report.bytes += static_cast<std::int64_t>(size);
    auto sum = hash::fileChecksum(file);
    if (!sum)
      add({IntegrityProblem::Kind::Changed, r.path, r.uid, "cannot be read"});
    else if (*sum != r.checksum || static_cast<std::int64_t>(size) != r.size)
      add({IntegrityProblem::Kind::Changed, r.path, r.uid,
           "checksum " + *sum + ", stored " + r.checksum + "; " + std::to_string(size) + " bytes, stored " +
               std::to_string(r.size)});
  }
  for (const auto& rel : onDisk) add({IntegrityProblem::Kind::Unindexed, rel, "", "not in the index"});
  return report;
}

}  // namespace atrium
