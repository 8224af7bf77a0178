// In-memory matching of keys inside sequences (PS3.4 C.2.2.2.6), which the index has no columns for.
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <gtest/gtest.h>

#include "query/sequence_matching.h"

using namespace atrium;

namespace {

void addCode(DcmItem& parent, const DcmTagKey& seq, const char* value, const char* scheme, const char* meaning) {
  DcmItem* item = nullptr;
  ASSERT_TRUE(parent.findOrCreateSequenceItem(seq, item, -2).good());
  item->putAndInsertString(DCM_CodeValue, value);
  item->putAndInsertString(DCM_CodingSchemeDesignator, scheme);
  item->putAndInsertString(DCM_CodeMeaning, meaning);
}

// A worklist item with two requested procedure codes and one step with a protocol code.
DcmDataset storedItem() {
  DcmDataset ds;
  ds.putAndInsertString(DCM_PatientID, "P1");
  addCode(ds, DCM_RequestedProcedureCodeSequence, "CMR01", "LOCAL", "Cardiac MR");
  addCode(ds, DCM_RequestedProcedureCodeSequence, "CMR02", "LOCAL", "Stress perfusion MR");
  DcmItem* step = nullptr;
  ds.findOrCreateSequenceItem(DCM_ScheduledProcedureStepSequence, step, -2);
  step->putAndInsertString(DCM_Modality, "MR");
  addCode(*step, DCM_ScheduledProtocolCodeSequence, "CINE", "LOCAL", "Cine SSFP");
  return ds;
}

DcmDataset request(const DcmTagKey& seq, std::initializer_list<std::pair<DcmTagKey, const char*>> keys) {
  DcmDataset rq;
  DcmItem* item = nullptr;
  rq.findOrCreateSequenceItem(seq, item, 0);
  for (const auto& [k, v] : keys) item->putAndInsertString(k, v);
  return rq;
}

constexpr unsigned long kSps = 0x00400100;

}  // namespace

TEST(SequenceMatching, AnyItemMatchingEveryKeyMatches) {
  DcmDataset src = storedItem();
  auto rq = request(DCM_RequestedProcedureCodeSequence, {{DCM_CodeValue, "CMR02"}});
  EXPECT_TRUE(query::sequenceKeysMatch(src, rq, true, kSps));  // the second item
  rq = request(DCM_RequestedProcedureCodeSequence, {{DCM_CodeValue, "CT01"}});
  EXPECT_FALSE(query::sequenceKeysMatch(src, rq, true, kSps));
  // Both keys must hold in the same item: CMR01's scheme is LOCAL, not another item's value.
  rq = request(DCM_RequestedProcedureCodeSequence, {{DCM_CodeValue, "CMR01"}, {DCM_CodingSchemeDesignator, "SCT"}});
  EXPECT_FALSE(query::sequenceKeysMatch(src, rq, true, kSps));
  rq = request(DCM_RequestedProcedureCodeSequence, {{DCM_CodeMeaning, "*perfusion*"}});
  EXPECT_TRUE(query::sequenceKeysMatch(src, rq, true, kSps));
}

TEST(SequenceMatching, EmptyKeysAreReturnKeysAndAbsentSequencesDoNotMatch) {
  DcmDataset src = storedItem();
  auto rq = request(DCM_RequestedProcedureCodeSequence, {{DCM_CodeValue, ""}});
  EXPECT_TRUE(query::sequenceKeysMatch(src, rq, true, kSps));
  rq = request(DCM_ReferencedStudySequence, {{DCM_ReferencedSOPInstanceUID, ""}});
  EXPECT_TRUE(query::sequenceKeysMatch(src, rq, true, kSps));
  rq = request(DCM_ReferencedStudySequence, {{DCM_ReferencedSOPInstanceUID, "1.2.3"}});
  EXPECT_FALSE(query::sequenceKeysMatch(src, rq, true, kSps));
}

TEST(SequenceMatching, StepLeavesAreLeftToTheIndexButNestedSequencesAreChecked) {
  DcmDataset src = storedItem();
  // Modality=CT would not match, but the step's own values are the index's to match.
  auto rq = request(DCM_ScheduledProcedureStepSequence, {{DCM_Modality, "CT"}});
  EXPECT_TRUE(query::sequenceKeysMatch(src, rq, true, kSps));
  EXPECT_FALSE(query::sequenceKeysMatch(src, rq, true, 0));
  DcmItem* step = nullptr;
  rq.findOrCreateSequenceItem(DCM_ScheduledProcedureStepSequence, step, 0);
  DcmItem* code = nullptr;
  step->findOrCreateSequenceItem(DCM_ScheduledProtocolCodeSequence, code, 0);
  code->putAndInsertString(DCM_CodeValue, "T1MAP");
  EXPECT_FALSE(query::sequenceKeysMatch(src, rq, true, kSps));
  code->putAndInsertString(DCM_CodeValue, "CINE");
  EXPECT_TRUE(query::sequenceKeysMatch(src, rq, true, kSps));
}

TEST(SequenceMatching, ValueRules) {
  EXPECT_TRUE(query::valueMatches("UI", "1.2.3\\1.2.4", "1.2.4", false));
  EXPECT_FALSE(query::valueMatches("UI", "1.2.3\\1.2.4", "1.2.5", false));
  EXPECT_TRUE(query::valueMatches("DA", "20240101-20241231", "20240615", false));
  EXPECT_FALSE(query::valueMatches("DA", "20240101-20241231", "20250101", false));
  EXPECT_TRUE(query::valueMatches("DA", "-20240101", "20231231", false));
  EXPECT_TRUE(query::valueMatches("TM", "1000-1100", "103000", false));
  EXPECT_FALSE(query::valueMatches("TM", "1000-1100", "110100", false));
  EXPECT_TRUE(query::valueMatches("TM", "10:00-11:00", "10:30:00", false));
  EXPECT_TRUE(query::valueMatches("PN", "müller*", "müller^hans", true));
  EXPECT_TRUE(query::valueMatches("PN", "SMITH^ANNA", "Smith^Anna", true));
  EXPECT_FALSE(query::valueMatches("PN", "SMITH^ANNA", "Smith^Anna", false));
  EXPECT_TRUE(query::valueMatches("PN", "Smith^Anna", "Smith^Anna^^", false));
  EXPECT_TRUE(query::valueMatches("LO", "M?ller", "Müller", false));  // '?' is one character, not one byte
  EXPECT_FALSE(query::valueMatches("LO", "M?ller", "Mller", false));
  EXPECT_TRUE(query::valueMatches("CS", "*", "", false));
  EXPECT_FALSE(query::valueMatches("CS", "MR", "mr", true));  // only person names fold case
}
