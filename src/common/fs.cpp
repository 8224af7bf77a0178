#include "common/fs.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <random>

namespace atrium::fs {
namespace {
std::error_code lastError() { return {errno, std::generic_category()}; }

std::error_code fsyncPath(const std::filesystem::path& p, int flags) {
  int fd = ::open(p.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return lastError();
  std::error_code ec;
  if (::fsync(fd) != 0) ec = lastError();
  ::close(fd);
  return ec;
}
}  // namespace

std::error_code fsyncFile(const std::filesystem::path& file) { return fsyncPath(file, O_RDONLY); }
std::error_code fsyncDirectory(const std::filesystem::path& dir) { return fsyncPath(dir, O_RDONLY | O_DIRECTORY); }

std::error_code durableRename(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return lastError();
  return fsyncDirectory(to.parent_path());
}

std::filesystem::path uniqueTempPath(const std::filesystem::path& dir, const std::string& prefix) {
  static std::atomic<std::uint64_t> counter{0};
  thread_local std::mt19937_64 rng{
      std::random_device{}() ^ static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count())};
  char name[96];
  std::snprintf(name, sizeof name, "%s%016llx-%llu.part", prefix.c_str(), static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(counter++));
  return dir / name;
}

bool isTempName(const std::filesystem::path& p) { return p.extension() == ".part"; }

std::error_code writeFileDurably(const std::filesystem::path& path, const void* data, std::size_t size) {
  auto tmp = uniqueTempPath(path.parent_path(), ".");
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return lastError();
  const char* p = static_cast<const char*>(data);
  std::size_t left = size;
  std::error_code ec;
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      ec = lastError();
      break;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (!ec && ::fsync(fd) != 0) ec = lastError();
  ::close(fd);
  if (!ec) ec = durableRename(tmp, path);
  if (ec) ::unlink(tmp.c_str());
  return ec;
}

}  // namespace atrium::fs
