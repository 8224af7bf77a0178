#include <gtest/gtest.h>

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
