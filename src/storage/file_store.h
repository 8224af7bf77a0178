#pragma once
// The files under <data>/storage: one Part 10 file per SOP Instance, at a path derived from a
// hash of its UID (never from raw UIDs or names in the data), written temp-then-rename.
#include <filesystem>
#include <string>
#include <system_error>

namespace atrium::storage {

class FileStore {
 public:
  explicit FileStore(std::filesystem::path root);

  const std::filesystem::path& root() const { return root_; }
  // Final location of an instance, relative to root(): "ab/cd/<32 hex>.dcm".
  std::filesystem::path relativePathFor(const std::string& sopInstanceUid) const;
  std::filesystem::path absolutePath(const std::filesystem::path& relative) const { return root_ / relative; }

  // A fresh temp file in the instance's final folder (the folder is created).
  struct Slot {
    std::filesystem::path tempPath;
    std::filesystem::path finalRelative;
  };
  Slot prepare(const std::string& sopInstanceUid, std::error_code& ec) const;

  // fsync the temp file, rename it onto its final name, fsync the folder.
  std::error_code commit(const Slot& slot) const;
  void discard(const Slot& slot) const;

  // Remove temp files a crash left behind; returns how many.
  std::size_t removeStaleTempFiles() const;

 private:
  std::filesystem::path root_;
};

}  // namespace atrium::storage
