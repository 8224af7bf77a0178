// HTTP authentication: PBKDF2 password hashes, Basic and Bearer headers, roles, bad configs.
#include <gtest/gtest.h>

#include "common/hash.h"
#include "web/auth.h"

using namespace atrium;
using namespace atrium::web;

namespace {
std::string basic(const std::string& userPassword) {
  static const char* b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int val = 0, bits = -6;
  for (unsigned char c : userPassword) {
    val = (val << 8) + c;
    bits += 8;
    while (bits >= 0) {
      out.push_back(b64[(val >> bits) & 0x3F]);
      bits -= 6;
    }
  }
  if (bits > -6) out.push_back(b64[((val << 8) >> (bits + 8)) & 0x3F]);
  while (out.size() % 4) out.push_back('=');
  return "Basic " + out;
}

HttpAuthConfig config() {
  HttpAuthConfig c;
  c.users.push_back({"ann", "", hashPassword("s3cret"), "admin"});
  c.users.push_back({"bob", "plain-pw", "", "viewer"});  // from serve --user: hashed at start
  c.tokens.push_back({"ris", hash::sha256Hex("tok-123"), "viewer"});
  return c;
}
}  // namespace

TEST(Auth, PasswordHashesVerifyOnlyTheirPassword) {
  auto h = hashPassword("s3cret");
  EXPECT_EQ(h.rfind("pbkdf2-sha256$", 0), 0u);
  EXPECT_TRUE(verifyPassword("s3cret", h));
  EXPECT_FALSE(verifyPassword("s3cret ", h));
  EXPECT_FALSE(verifyPassword("", h));
  EXPECT_NE(hashPassword("s3cret"), h) << "salted";
  EXPECT_FALSE(verifyPassword("s3cret", "pbkdf2-sha256$1$zz$zz"));
  EXPECT_FALSE(verifyPassword("s3cret", "garbage"));
}

TEST(Auth, BasicAndBearerGiveTheRightIdentity) {
  Authenticator a(config());
  ASSERT_TRUE(a.enabled());
  auto ann = a.authenticate(basic("ann:s3cret"));
  ASSERT_TRUE(ann);
  EXPECT_EQ(ann->name, "ann");
  EXPECT_EQ(ann->role, Role::Admin);
  auto again = a.authenticate(basic("ann:s3cret"));  // from the cache of verified pairs
  ASSERT_TRUE(again);
  EXPECT_EQ(again->role, Role::Admin);
  auto bob = a.authenticate(basic("bob:plain-pw"));
  ASSERT_TRUE(bob);
  EXPECT_EQ(bob->role, Role::Viewer);
  auto ris = a.authenticate("Bearer tok-123");
  ASSERT_TRUE(ris);
  EXPECT_EQ(ris->name, "ris");
  EXPECT_EQ(ris->role, Role::Viewer);
}

TEST(Auth, WrongOrMalformedCredentialsAreRefused) {
  Authenticator a(config());
  for (const std::string& h : {basic("ann:wrong"), basic("ann:s3cret "), basic("nobody:s3cret"), basic("ann"),
                               basic("bob:s3cret"), std::string("Bearer tok-1234"), std::string("Bearer "),
                               std::string("Basic !!!"), std::string("Digest x"), std::string("")}) {
    EXPECT_FALSE(a.authenticate(h)) << h;
  }
  // A wrong password after a right one is still wrong (the cache is by user and password).
  EXPECT_TRUE(a.authenticate(basic("ann:s3cret")));
  EXPECT_FALSE(a.authenticate(basic("ann:s3cre")));
}

TEST(Auth, BadConfigurationIsAnError) {
  HttpAuthConfig badRole;
  badRole.users.push_back({"x", "", hashPassword("p"), "superuser"});
  EXPECT_THROW(Authenticator{badRole}, ConfigError);
  HttpAuthConfig badHash;
  badHash.users.push_back({"x", "", "md5$abc", "viewer"});
  EXPECT_THROW(Authenticator{badHash}, ConfigError);
  Role r;
  EXPECT_TRUE(parseRole("admin", r));
  EXPECT_EQ(r, Role::Admin);
  EXPECT_FALSE(parseRole("Admin ", r));
}
