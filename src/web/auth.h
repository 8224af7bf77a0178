#pragma once
// Who may use the HTTP server: users (HTTP Basic, passwords kept as PBKDF2-SHA256 hashes) and
// bearer tokens (kept as SHA-256), each with a role. Viewer reads; admin does everything.
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"

namespace atrium::web {

// editor: a viewer who may also save and sign cardiac analyses.
enum class Role { Viewer = 1, Editor = 2, Admin = 3 };
bool parseRole(const std::string& s, Role& out);
const char* roleName(Role r);

struct Identity {
  std::string name;
  Role role = Role::Viewer;
};

// "pbkdf2-sha256$ITERATIONS$SALT_HEX$HASH_HEX"
std::string hashPassword(const std::string& password);
bool verifyPassword(const std::string& password, const std::string& encoded);

class Authenticator {
 public:
  // Throws ConfigError for a bad role or hash format.
  explicit Authenticator(const HttpAuthConfig& config);
  bool enabled() const { return enabled_; }
  // From an Authorization header value; nullopt when missing or wrong.
  std::optional<Identity> authenticate(const std::string& authorization) const;
  // The user name an Authorization header claims, recognised or not ("(token)" for a Bearer token).
  static std::string claimedName(const std::string& authorization);

 private:
  struct User {
    std::string name, hash;
    Role role;
  };
  struct Token {
    std::string name, sha256;
    Role role;
  };
  bool enabled_ = true;
  std::vector<User> users_;
  std::vector<Token> tokens_;
  // SHA-256 of "user:password" pairs already verified: PBKDF2 on every request would cost more
  // than serving it.
  mutable std::mutex cacheMutex_;
  mutable std::map<std::string, Identity> verified_;
};

}  // namespace atrium::web
