#include <gtest/gtest.h>

#include <set>

#include "dicom/uid.h"

using atrium::dicom::isValidUid;

TEST(Uid, AcceptsWellFormedUids) {
  EXPECT_TRUE(isValidUid("1.2.840.10008.1.1"));
  EXPECT_TRUE(isValidUid("0.1"));
  EXPECT_TRUE(isValidUid(std::string(64, '1')));
}

TEST(Uid, RejectsMalformedUids) {
  EXPECT_FALSE(isValidUid(""));
  EXPECT_FALSE(isValidUid("1..2"));
  EXPECT_FALSE(isValidUid("1.2."));
  EXPECT_FALSE(isValidUid("1.02"));
  EXPECT_FALSE(isValidUid("1.2.a"));
  EXPECT_FALSE(isValidUid("../../etc/passwd"));
  EXPECT_FALSE(isValidUid(std::string(65, '1')));
}

TEST(Uid, TrimsPadding) { EXPECT_EQ(atrium::dicom::trimUid(std::string("1.2\0", 4)), "1.2"); }

TEST(Uid, NewUidsAreUuidDerivedValidAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string u = atrium::dicom::newUid();
    EXPECT_TRUE(atrium::dicom::isValidUid(u)) << u;
    EXPECT_EQ(u.rfind("2.25.", 0), 0u) << u;  // PS3.5 B.2: no borrowed root
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 1000u);
}
