#include "web/auth.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdio>
#include <stdexcept>

#include "common/hash.h"

namespace atrium::web {
namespace {

constexpr int kIterations = 120000;

std::string hex(const unsigned char* p, std::size_t n) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += d[p[i] >> 4];
    out += d[p[i] & 15];
  }
  return out;
}

bool unhex(const std::string& s, std::string& out) {
  if (s.size() % 2) return false;
  out.clear();
  for (std::size_t i = 0; i < s.size(); i += 2) {
    unsigned v = 0;
    if (std::sscanf(s.substr(i, 2).c_str(), "%2x", &v) != 1) return false;
    out += static_cast<char>(v);
  }
  return true;
}

std::string pbkdf2(const std::string& password, const std::string& salt, int iterations) {
  unsigned char out[32];
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()), iterations,
                    EVP_sha256(), sizeof out, out);
  return hex(out, sizeof out);
}

// Comparison time independent of where the strings differ.
bool sameString(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::string base64Decode(const std::string& in) {
  std::string out;
  int val = 0, bits = -8;
  for (unsigned char c : in) {
    int d;
    if (c >= 'A' && c <= 'Z')
      d = c - 'A';
    else if (c >= 'a' && c <= 'z')
      d = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      d = c - '0' + 52;
    else if (c == '+')
      d = 62;
    else if (c == '/')
      d = 63;
    else
      break;
    val = (val << 6) + d;
    bits += 6;
    if (bits >= 0) {
      out += static_cast<char>((val >> bits) & 0xFF);
      bits -= 8;
    }
  }
  return out;
}

}  // namespace

bool parseRole(const std::string& s, Role& out) {
  if (s == "viewer")
    out = Role::Viewer;
  else if (s == "editor")
    out = Role::Editor;
  else if (s == "admin")
    out = Role::Admin;
  else
    return false;
  return true;
}

const char* roleName(Role r) { return r == Role::Admin ? "admin" : r == Role::Editor ? "editor" : "viewer"; }

std::string hashPassword(const std::string& password) {
  unsigned char salt[16];
  if (RAND_bytes(salt, sizeof salt) != 1) throw std::runtime_error("no random bytes for a salt");
  std::string s(reinterpret_cast<char*>(salt), sizeof salt);
  return "pbkdf2-sha256$" + std::to_string(kIterations) + "$" + hex(salt, sizeof salt) + "$" +
         pbkdf2(password, s, kIterations);
}

bool verifyPassword(const std::string& password, const std::string& encoded) {
  char algo[32] = {0};
  int iterations = 0;
  char saltHex[129] = {0}, hashHex[129] = {0};
  if (std::sscanf(encoded.c_str(), "%31[^$]$%d$%128[^$]$%128s", algo, &iterations, saltHex, hashHex) != 4) return false;
  std::string salt;
  if (std::string(algo) != "pbkdf2-sha256" || iterations < 1 || !unhex(saltHex, salt)) return false;
  return sameString(pbkdf2(password, salt, iterations), hashHex);
}

Authenticator::Authenticator(const HttpAuthConfig& c) : enabled_(c.enabled) {
  for (const auto& u : c.users) {
    Role r;
    if (!parseRole(u.role, r)) throw ConfigError("http user '" + u.name + "': role must be viewer, editor or admin");
    std::string hash = u.passwordHash.empty() ? hashPassword(u.password) : u.passwordHash;
    if (hash.rfind("pbkdf2-sha256$", 0) != 0)
      throw ConfigError("http user '" + u.name + "': password_hash must come from `atrium hash-password`");
    users_.push_back({u.name, hash, r});
  }
  for (const auto& t : c.tokens) {
    Role r;
    if (!parseRole(t.role, r)) throw ConfigError("http token '" + t.name + "': role must be viewer, editor or admin");
    if (t.sha256.size() != 64) throw ConfigError("http token '" + t.name + "': sha256 must be 64 hex digits");
    tokens_.push_back({t.name, t.sha256, r});
  }
  if (enabled_ && users_.empty() && tokens_.empty())
    throw ConfigError(
        "HTTP authentication is on but no user or token is configured: add http_users, --user NAME:PASSWORD:ROLE, "
        "or --no-auth for local use");
}

std::string Authenticator::claimedName(const std::string& header) {
  if (header.rfind("Basic ", 0) != 0) return "(token)";
  std::string pair = base64Decode(header.substr(6));
  return pair.substr(0, pair.find(':'));
}

std::optional<Identity> Authenticator::authenticate(const std::string& header) const {
  if (header.rfind("Bearer ", 0) == 0) {
    std::string digest = hash::sha256Hex(header.substr(7));
    for (const auto& t : tokens_)
      if (sameString(digest, t.sha256)) return Identity{t.name, t.role};
    return std::nullopt;
  }
  if (header.rfind("Basic ", 0) != 0) return std::nullopt;
  std::string pair = base64Decode(header.substr(6));
  auto colon = pair.find(':');
  if (colon == std::string::npos) return std::nullopt;
  std::string name = pair.substr(0, colon), password = pair.substr(colon + 1);
  std::string key = hash::sha256Hex(pair);
  {
    std::lock_guard lock(cacheMutex_);
    auto it = verified_.find(key);
    if (it != verified_.end()) return it->second;
  }
  for (const auto& u : users_)
    if (u.name == name && verifyPassword(password, u.hash)) {
      Identity id{u.name, u.role};
      std::lock_guard lock(cacheMutex_);
      if (verified_.size() > 1000) verified_.clear();
      verified_[key] = id;
      return id;
    }
  return std::nullopt;
}

}  // namespace atrium::web
