#include "dimse/file_sink.h"

#include <dcmtk/dcmdata/dcostrma.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/hash.h"

namespace atrium::dimse {
namespace {

class SinkConsumer : public DcmConsumer {
 public:
  explicit SinkConsumer(FileSink& sink) : sink_(sink) {}
  OFBool good() const override { return OFTrue; }  // failures are the sink's to report
  OFCondition status() const override { return EC_Normal; }
  OFBool isFlushed() const override { return OFTrue; }
  offile_off_t avail() const override { return 1 << 30; }
  offile_off_t write(const void* buf, offile_off_t len) override {
    sink_.consume(buf, static_cast<std::size_t>(len));
    return len;
  }
  void flush() override {}

 private:
  FileSink& sink_;
};

}  // namespace

struct FileSink::Stream : public DcmOutputStream {
  explicit Stream(FileSink& sink) : DcmOutputStream(&consumer), consumer(sink) {}
  SinkConsumer consumer;
};

FileSink::FileSink() : hash_(XXH3_createState()) { XXH3_128bits_reset(hash_); }

FileSink::~FileSink() {
  stream_.reset();
  if (fd_ >= 0) ::close(fd_);
  XXH3_freeState(hash_);
}

bool FileSink::open(const std::filesystem::path& file) {
  fd_ = ::open(file.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  if (fd_ < 0) {
    failed_ = true;
    error_ = std::strerror(errno);
    return false;
  }
  char buf[8192];
  ssize_t n;
  while ((n = ::pread(fd_, buf, sizeof buf, static_cast<off_t>(size_))) > 0) {
    XXH3_128bits_update(hash_, buf, static_cast<std::size_t>(n));
    size_ += static_cast<std::uint64_t>(n);
  }
  stream_ = std::make_unique<Stream>(*this);
  return true;
}

DcmOutputStream& FileSink::stream() { return *stream_; }

void FileSink::consume(const void* data, std::size_t length) {
  XXH3_128bits_update(hash_, data, length);
  size_ += length;
  if (failed_) return;
  const char* p = static_cast<const char*>(data);
  while (length > 0) {
    ssize_t n = ::write(fd_, p, length);
    if (n < 0) {
      if (errno == EINTR) continue;
      failed_ = true;
      error_ = std::strerror(errno);
      return;
    }
    p += n;
    length -= static_cast<std::size_t>(n);
  }
}

bool FileSink::close() {
  if (stream_) stream_->flush();
  stream_.reset();
  if (fd_ >= 0 && ::close(fd_) != 0 && !failed_) {
    failed_ = true;
    error_ = std::strerror(errno);
  }
  fd_ = -1;
  return !failed_;
}

std::string FileSink::checksum() const {
  XXH128_hash_t h = XXH3_128bits_digest(hash_);
  return hash::hex128(h.high64, h.low64);
}

}  // namespace atrium::dimse
