#include "storage/file_store.h"

#include "common/fs.h"
#include "common/hash.h"
#include "common/log.h"

namespace atrium::storage {

FileStore::FileStore(std::filesystem::path root) : root_(std::move(root)) {
  std::filesystem::create_directories(root_);
}

std::filesystem::path FileStore::relativePathFor(const std::string& sopInstanceUid) const {
  std::string h = hash::xxh128Hex(sopInstanceUid);
  return std::filesystem::path(h.substr(0, 2)) / h.substr(2, 2) / (h + ".dcm");
}

FileStore::Slot FileStore::prepare(const std::string& sopInstanceUid, std::error_code& ec) const {
  Slot s;
  s.finalRelative = relativePathFor(sopInstanceUid);
  auto dir = (root_ / s.finalRelative).parent_path();
  std::filesystem::create_directories(dir, ec);
  s.tempPath = fs::uniqueTempPath(dir, ".");
  return s;
}

std::error_code FileStore::commit(const Slot& slot) const {
  if (auto ec = fs::fsyncFile(slot.tempPath)) return ec;
  return fs::durableRename(slot.tempPath, root_ / slot.finalRelative);
}

void FileStore::discard(const Slot& slot) const {
  std::error_code ec;
  std::filesystem::remove(slot.tempPath, ec);
}

std::size_t FileStore::removeStaleTempFiles() const {
  std::size_t n = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(root_, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file() && fs::isTempName(it->path())) {
      std::error_code rm;
      if (std::filesystem::remove(it->path(), rm)) ++n;
    }
  }
  if (n) log::info("removed ", n, " unfinished temp file(s) from ", root_.string());
  return n;
}

}  // namespace atrium::storage
