#include "common/hash.h"

#include <fcntl.h>
#include <openssl/sha.h>
#include <unistd.h>
#include <xxhash.h>

#include <cstdio>
#include <memory>
#include <vector>

namespace atrium::hash {
namespace {
std::string hex(XXH128_hash_t h) { return hex128(h.high64, h.low64); }
}  // namespace

std::string hex128(std::uint64_t high, std::uint64_t low) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(high),
                static_cast<unsigned long long>(low));
  return buf;
}

std::string xxh128Hex(std::string_view data) { return hex(XXH3_128bits(data.data(), data.size())); }

std::optional<std::string> fileChecksum(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> state(XXH3_createState(), XXH3_freeState);
  XXH3_128bits_reset(state.get());
  std::vector<char> buf(1 << 16);
  bool ok = true;
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n == 0) break;
    if (n < 0) {
      ok = false;
      break;
    }
    XXH3_128bits_update(state.get(), buf.data(), static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (!ok) return std::nullopt;
  return hex(XXH3_128bits_digest(state.get()));
}

std::string sha256Hex(std::string_view data) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out);
  static const char* digits = "0123456789abcdef";
  std::string hex;
  for (unsigned char b : out) {
    hex += digits[b >> 4];
    hex += digits[b & 15];
  }
  return hex;
}

}  // namespace atrium::hash
