#include <gtest/gtest.h>

#include "deid/annex_e_table.h"
#include "deid/pseudonyms.h"
#include "dicom/uid.h"

using namespace atrium::deid;

TEST(AnnexETable, ActionsAndOptionColumns) {
  EXPECT_GT(tableSize(), 400u);
  auto name = ruleFor(0x0010, 0x0010);
  ASSERT_TRUE(name);
  EXPECT_EQ(name->basic, Action::Empty);
  auto studyDate = ruleFor(0x0008, 0x0020);
  ASSERT_TRUE(studyDate);
  EXPECT_EQ(studyDate->option[int(Option::RetainLongFullDates)], Action::Keep);
  EXPECT_EQ(studyDate->option[int(Option::RetainLongModifiedDates)], Action::Clean);
  auto contentDate = ruleFor(0x0008, 0x0023);  // Z/D: the strictest conformant reading, a dummy
  ASSERT_TRUE(contentDate);
  EXPECT_EQ(contentDate->basic, Action::Dummy);
  auto refImages = ruleFor(0x0008, 0x1140);  // X/Z/U*: kept, its UIDs replaced
  ASSERT_TRUE(refImages);
  EXPECT_EQ(refImages->basic, Action::Uid);
  EXPECT_EQ(ruleFor(0x0020, 0x000D)->basic, Action::Uid);
  EXPECT_EQ(ruleFor(0x6002, 0x3000)->basic, Action::Remove);  // overlay data, any 60xx group
  EXPECT_EQ(ruleFor(0x6002, 0x3000)->option[int(Option::CleanGraphics)], Action::Clean);
  EXPECT_EQ(ruleFor(0x5004, 0x3000)->basic, Action::Remove);  // curves, any element
  EXPECT_FALSE(ruleFor(0x0008, 0x0060));                      // Modality: not in the table, kept
  EXPECT_FALSE(ruleFor(0x6001, 0x3000));                      // odd group: private, not a 60xx overlay
}

TEST(AnnexETable, OptionNamesAndCodes) {
  for (int o = 0; o < int(Option::Count); ++o) {
    auto opt = static_cast<Option>(o);
    EXPECT_EQ(parseOption(optionName(opt)), opt);
    EXPECT_EQ(std::string(optionCode(opt)).substr(0, 4), "1131");
  }
  EXPECT_FALSE(parseOption("retain-everything"));
}

TEST(Pseudonyms, DeterministicPerKeyAndValid) {
  Pseudonyms a("key number one, long enough"), a2("key number one, long enough"), b("another key entirely");
  const std::string uid = "1.2.840.113619.2.55.3.604688119.868.1249343483.504";
  EXPECT_EQ(a.uid(uid), a2.uid(uid));
  EXPECT_NE(a.uid(uid), b.uid(uid));
  EXPECT_NE(a.uid(uid), a.uid(uid + "1"));
  EXPECT_TRUE(atrium::dicom::isValidUid(a.uid(uid)));
  EXPECT_EQ(a.uid(uid).rfind("2.25.", 0), 0u);
  EXPECT_EQ(a.patientId("MRN-1"), a2.patientId("MRN-1"));
  EXPECT_NE(a.patientId("MRN-1"), a.patientId("MRN-2"));
  EXPECT_EQ(a.patientId("MRN-1").size(), 14u);
  for (const char* p : {"A", "B", "C", "D"}) {
    int d = a.dateShiftDays(p);
    EXPECT_GE(d, 1);
    EXPECT_LE(d, 3650);
  }
  EXPECT_NE(randomKey(), randomKey());
}
