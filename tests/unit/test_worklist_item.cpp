#include <gtest/gtest.h>

#include "query/attributes.h"
#include "query/sql_builder.h"
#include "worklist/worklist_item.h"

using atrium::worklist::parseWorklistItem;
using atrium::worklist::WorklistError;

namespace {
const char* kItem = R"({
  "00100020": {"vr": "LO", "Value": ["P1"]},
  "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Doe^Jane", "Ideographic": "X"}]},
  "00400100": {"vr": "SQ", "Value": [
    {"00400002": {"vr": "DA", "Value": ["20261122"]}, "00400003": {"vr": "TM", "Value": ["0930"]},
     "00080060": {"vr": "CS", "Value": ["MR"]}},
    {"00400002": {"vr": "DA", "Value": ["20261123"]}, "00400004": {"vr": "DA", "Value": ["20261123"]}}]}
})";

std::string expectError(const std::string& json) {
  try {
    parseWorklistItem(json);
  } catch (const WorklistError& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST(WorklistItem, ExtractsMatchingValuesPerStep) {
  auto w = parseWorklistItem(kItem);
  EXPECT_EQ(w.patientId, "P1");
  EXPECT_EQ(w.patientName, "Doe^Jane=X");
  ASSERT_EQ(w.steps.size(), 2u);
  EXPECT_EQ(w.steps[0].modality, "MR");
  EXPECT_EQ(w.steps[0].startTime, "0930");
  // The later step has an end date without a time: the end of that day.
  EXPECT_EQ(w.lastStepAt, "20261123235959");
}

TEST(WorklistItem, RefusesWhatAScannerCannotUse) {
  EXPECT_NE(expectError("[1,2]").find("one DICOM JSON object"), std::string::npos);
  EXPECT_NE(expectError(R"({"00400100": {"vr": "SQ", "Value": [{"00400002": {"vr": "DA", "Value": ["20261122"]}}]}})")
                .find("(0010,0020) PatientID"),
            std::string::npos);
  EXPECT_NE(expectError(R"({"00100020": {"vr": "LO", "Value": ["P1"]}})").find("(0040,0100)"), std::string::npos);
  EXPECT_NE(expectError(R"({"00100020": {"vr": "LO", "Value": ["P1"]},
                          "00400100": {"vr": "SQ", "Value": [{"00400003": {"vr": "TM", "Value": ["0930"]}}]}})")
                .find("(0040,0100)[0] (0040,0002) ScheduledProcedureStepStartDate"),
            std::string::npos);
  EXPECT_NE(
      expectError(R"({"00100020": {"vr": "LO", "Value": ["P1"]}, "00100030": {"vr": "DA", "Value": ["1960-01-01"]},
                          "00400100": {"vr": "SQ", "Value": [{"00400002": {"vr": "DA", "Value": ["20261122"]}}]}})")
          .find("(0010,0030) PatientBirthDate"),
      std::string::npos);
  EXPECT_NE(expectError(R"({"0010": {"vr": "LO"}})").find("8 hex digits"), std::string::npos);
}

TEST(WorklistQuery, StepKeysMatchTheStepTableAndStartDateTimeCombines) {
  using namespace atrium::query;
  Query q;
  q.level = Level::Worklist;
  q.keys.push_back({tag(0x0010, 0x0020), 0, "LO", "P1"});
  q.keys.push_back({tag(0x0040, 0x0100), 0, "SQ", ""});
  q.keys.push_back({tag(0x0008, 0x0060), kScheduledProcedureStepSequence, "CS", "MR"});
  q.keys.push_back({tag(0x0040, 0x0002), kScheduledProcedureStepSequence, "DA", "20261122-20261123"});
  q.keys.push_back({tag(0x0040, 0x0003), kScheduledProcedureStepSequence, "TM", "1000-0900"});
  // Modality outside the step sequence is not a worklist key: returned empty, not matched.
  q.keys.push_back({tag(0x0008, 0x0060), 0, "CS", "CT"});
  auto sql = buildSql(q);
  EXPECT_NE(sql.sql.find("w.patient_id=?"), std::string::npos);
  EXPECT_NE(sql.sql.find("s.modality=?"), std::string::npos);
  EXPECT_NE(sql.sql.find("(s.start_date>? OR (s.start_date=? AND s.start_time>=?))"), std::string::npos);
  EXPECT_EQ(sql.sql.find("'CT'"), std::string::npos);
  EXPECT_EQ(sql.binds,
            (atrium::index::Binds{"20261122", "20261122", "1000", "20261123", "20261123", "0900~", "P1", "MR"}));
}
