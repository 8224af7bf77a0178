#include "deid/pseudonyms.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace atrium::deid {

std::string Pseudonyms::mac(const std::string& domain, const std::string& value) const {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const std::string message = domain + '\0' + value;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()), reinterpret_cast<const unsigned char*>(message.data()),
       message.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string Pseudonyms::uid(const std::string& original) const {
  const std::string h = mac("uid", original);
  // 128 bits as a decimal number: repeated division of the 16-byte big-endian value by 10.
  unsigned char n[16];
  for (int i = 0; i < 16; ++i) n[i] = static_cast<unsigned char>(h[i]);
  std::string digits;
  bool zero = false;
  while (!zero) {
    unsigned remainder = 0;
    zero = true;
    for (auto& byte : n) {
      unsigned cur = (remainder << 8) | byte;
      byte = static_cast<unsigned char>(cur / 10);
      remainder = cur % 10;
      if (byte) zero = false;
    }
    digits.insert(digits.begin(), static_cast<char>('0' + remainder));
  }
  while (digits.size() > 1 && digits[0] == '0') digits.erase(0, 1);
  return "2.25." + digits;
}

std::string Pseudonyms::patientId(const std::string& original) const {
  static const char* alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const std::string h = mac("patient", original);
  std::string out = "ANON";
  for (int i = 0; i < 10; ++i) out += alphabet[static_cast<unsigned char>(h[i]) % 32];
  return out;
}

int Pseudonyms::dateShiftDays(const std::string& patientKey) const {
  const std::string h = mac("date", patientKey);
  unsigned v = (static_cast<unsigned char>(h[0]) << 8) | static_cast<unsigned char>(h[1]);
  return 1 + static_cast<int>(v % 3650);
}

std::string readKeyFile(const std::string& path) {
  std::ifstream in(path);
  std::string key;
  if (!in || !std::getline(in, key)) throw std::runtime_error("cannot read the key file " + path);
  while (!key.empty() && (key.back() == '\r' || key.back() == ' ')) key.pop_back();
  if (key.size() < 16) throw std::runtime_error("the key in " + path + " is shorter than 16 characters");
  return key;
}

std::string randomKey() {
  unsigned char b[32];
  if (RAND_bytes(b, sizeof b) != 1) throw std::runtime_error("no random bytes for a key");
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (unsigned char c : b) {
    s += hex[c >> 4];
    s += hex[c & 15];
  }
  return s;
}

std::string projectKeyOf(const std::string& dataDir) {
  const auto file = std::filesystem::path(dataDir) / "deid.key";
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    const std::string key = randomKey() + "\n";
    auto temp = file;
    temp += "." + randomKey().substr(0, 8) + ".part";
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    bool ok = fd >= 0 && ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && ::fsync(fd) == 0;
    if (fd >= 0) ::close(fd);
    // link() fails on an existing name: two first uses at once keep the first key.
    if (!ok || (::link(temp.c_str(), file.c_str()) != 0 && errno != EEXIST)) {
      std::filesystem::remove(temp, ec);
      throw std::runtime_error("cannot create " + file.string());
    }
    std::filesystem::remove(temp, ec);
  }
  return readKeyFile(file.string());
}

}  // namespace atrium::deid
