// Storage commitment: the archive commits to what its index holds and its disk still has.
#include <system_error>

#include "archive/archive.h"
#include "common/hash.h"
#include "common/log.h"

namespace atrium {
namespace {
constexpr std::uint16_t kProcessingFailure = 0x0110;
constexpr std::uint16_t kNoSuchObjectInstance = 0x0112;
constexpr std::uint16_t kClassInstanceConflict = 0x0119;
}  // namespace

dimse::CommitmentResult Archive::commit(const std::string& transactionUid, const std::vector<dimse::SopRef>& refs) {
  dimse::CommitmentResult r;
  r.transactionUid = transactionUid;
  for (const auto& ref : refs) {
    std::optional<index::IndexedInstance> found;
    try {
      found = index_->findInstance(ref.instanceUid);
    } catch (const std::exception& e) {
      log::error("storage commitment: index error: ", e.what());
      r.failed.emplace_back(ref, kProcessingFailure);
      continue;
    }
    if (!found) {
      r.failed.emplace_back(ref, kNoSuchObjectInstance);
      continue;
    }
    if (found->sopClassUid != ref.classUid) {
      r.failed.emplace_back(ref, kClassInstanceConflict);
      continue;
    }
    // The file was fsynced before the store was acknowledged; commit only to one still there and
    // whole: its size and its XXH3-128 as recorded when it was stored (a flipped bit included).
    std::error_code ec;
    auto file = store_->absolutePath(found->path);
    auto size = std::filesystem::file_size(file, ec);
    std::optional<std::string> sum;
    if (!ec && static_cast<std::int64_t>(size) == found->size) sum = hash::fileChecksum(file);
    if (!sum || *sum != found->checksum) {
      log::error("storage commitment: ", ref.instanceUid, " is indexed but its file is missing or damaged");
      r.failed.emplace_back(ref, kProcessingFailure);
      continue;
    }
    r.committed.push_back(ref);
  }
  return r;
}

std::optional<dimse::PeerAddress> Archive::reportDestination(const std::string& callingAet) {
  return moveDestination(callingAet);
}

}  // namespace atrium
