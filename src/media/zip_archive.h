#pragma once
// ZIP files through libarchive: a study written as a ZIP to a stream (the download), and the
// regular files of a ZIP read one at a time (import). Entry names never become paths here: each
// entry is extracted into a temp file of our own naming.
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>

struct archive;

namespace atrium::media {

struct ZipError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class ZipWriter {
 public:
  // Bytes go to sink as they are made; sink returns false when the reader went away.
  using Sink = std::function<bool(const char* data, std::size_t size)>;
  explicit ZipWriter(Sink sink);
  ~ZipWriter();
  ZipWriter(const ZipWriter&) = delete;
  ZipWriter& operator=(const ZipWriter&) = delete;

  // The file's bytes as entry `name` ("DICOM/PA000001/..."); ZipError when it cannot be read or
  // the sink failed.
  void addFile(const std::string& name, const std::filesystem::path& file);
  // Writes the central directory; ZipError when the sink failed.
  void finish();

 private:
  static long write(struct archive*, void* self, const void* data, std::size_t size);
  Sink sink_;
  struct archive* a_ = nullptr;
  bool finished_ = false;
};

// "PK\3\4" at the start.
bool looksLikeZip(const std::filesystem::path& file);

// Each regular file of the ZIP extracted into a new file under tempDir and given to onEntry with
// the entry's name; onEntry owns (and removes) the file. ZipError when the ZIP cannot be read (the
// entries before the damage have been handed over).
void forEachZipEntry(const std::filesystem::path& zip, const std::filesystem::path& tempDir,
                     const std::function<void(const std::filesystem::path& extracted, const std::string& name)>& onEntry);

}  // namespace atrium::media
