#pragma once
// Where a C-STORE data set is streamed: appended to the file DIMSE_createFilestream started
// (meta header), hashed on the way, and never reporting a write failure to DCMTK.
//
// Why: when a write fails (disk full) DCMTK's DIMSE_receiveDataSetInFile drains "the rest" of
// the data set, and if the failed fragment was the last one it waits for PDVs that never come.
// This sink swallows the bytes, remembers the error, and the store is answered A700.
#include <xxhash.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

class DcmOutputStream;

namespace atrium::dimse {

class FileSink {
 public:
  FileSink();
  ~FileSink();
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;

  // Open for appending; the bytes already there (the meta header) are hashed first.
  bool open(const std::filesystem::path& file);
  DcmOutputStream& stream();
  // Flush and close; false if any write failed.
  bool close();

  bool failed() const { return failed_; }
  const std::string& error() const { return error_; }
  std::uint64_t size() const { return size_; }
  std::string checksum() const;  // XXH3-128, as hash::fileChecksum

  // Called by the stream's consumer.
  void consume(const void* data, std::size_t length);

 private:
  int fd_ = -1;
  bool failed_ = false;
  std::string error_;
  std::uint64_t size_ = 0;
  XXH3_state_t* hash_;
  struct Stream;
  std::unique_ptr<Stream> stream_;
};

}  // namespace atrium::dimse
