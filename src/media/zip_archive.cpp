#include "media/zip_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <vector>

#include "common/fs.h"

namespace atrium::media {
namespace {

std::string lastError(struct archive* a) {
  const char* e = archive_error_string(a);
  return e ? e : "unknown libarchive error";
}

}  // namespace

ZipWriter::ZipWriter(Sink sink) : sink_(std::move(sink)), a_(archive_write_new()) {
  if (!a_) throw ZipError("cannot start a ZIP");
  // Fast deflate: uncompressed MR halves, already compressed images cost little time.
  if (archive_write_set_format_zip(a_) != ARCHIVE_OK ||
      archive_write_set_options(a_, "zip:compression=deflate,zip:compression-level=1") != ARCHIVE_OK ||
      archive_write_set_bytes_in_last_block(a_, 1) != ARCHIVE_OK ||
      archive_write_open(a_, this, nullptr, &ZipWriter::write, nullptr) != ARCHIVE_OK) {
    std::string why = lastError(a_);
    archive_write_free(a_);
    throw ZipError("cannot start a ZIP: " + why);
  }
}

ZipWriter::~ZipWriter() {
  if (!finished_) archive_write_fail(a_);
  archive_write_free(a_);
}

long ZipWriter::write(struct archive*, void* self, const void* data, std::size_t size) {
  auto* w = static_cast<ZipWriter*>(self);
  return w->sink_(static_cast<const char*>(data), size) ? static_cast<long>(size) : -1L;
}

void ZipWriter::addFile(const std::string& name, const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::error_code ec;
  auto size = std::filesystem::file_size(file, ec);
  if (!in || ec) throw ZipError("cannot read " + file.string());
  archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, name.c_str());
  archive_entry_set_size(e, static_cast<la_int64_t>(size));
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0644);
  archive_entry_set_mtime(e, std::time(nullptr), 0);
  int rc = archive_write_header(a_, e);
  archive_entry_free(e);
  if (rc != ARCHIVE_OK) throw ZipError("cannot write the ZIP: " + lastError(a_));
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    auto n = in.gcount();
    if (n > 0 && archive_write_data(a_, buf.data(), static_cast<std::size_t>(n)) < 0)
      throw ZipError("cannot write the ZIP: " + lastError(a_));
  }
  if (archive_write_finish_entry(a_) != ARCHIVE_OK) throw ZipError("cannot write the ZIP: " + lastError(a_));
}

void ZipWriter::finish() {
  if (archive_write_close(a_) != ARCHIVE_OK) throw ZipError("cannot finish the ZIP: " + lastError(a_));
  finished_ = true;
}

bool looksLikeZip(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, 4) && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
}

void forEachZipEntry(const std::filesystem::path& zip, const std::filesystem::path& tempDir,
                     const std::function<void(const std::filesystem::path&, const std::string&)>& onEntry) {
  struct archive* a = archive_read_new();
  archive_read_support_format_zip(a);
  if (archive_read_open_filename(a, zip.c_str(), 1 << 16) != ARCHIVE_OK) {
    std::string why = lastError(a);
    archive_read_free(a);
    throw ZipError("cannot read the ZIP " + zip.string() + ": " + why);
  }
  std::string failure;
  archive_entry* e = nullptr;
  for (;;) {
    int rc = archive_read_next_header(a, &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) {
      failure = lastError(a);
      break;
    }
    if (archive_entry_filetype(e) != AE_IFREG) continue;
    const char* entryName = archive_entry_pathname(e);
    std::string name = entryName ? entryName : "";
    auto temp = fs::uniqueTempPath(tempDir, "zip");
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      failure = "cannot create a temp file in " + tempDir.string();
      break;
    }
    rc = archive_read_data_into_fd(a, fd);
    ::close(fd);
    if (rc < ARCHIVE_WARN) {
      failure = name + ": " + lastError(a);
      std::error_code ec;
      std::filesystem::remove(temp, ec);
      break;
    }
    onEntry(temp, name);
  }
  archive_read_free(a);
  if (!failure.empty()) throw ZipError("cannot read the ZIP " + zip.string() + ": " + failure);
}

}  // namespace atrium::media
