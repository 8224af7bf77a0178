// The DICOM JSON reader on values that are valid JSON but odd DICOM.
#include <dcmtk/dcmdata/dctk.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "dicom/dicom_json.h"

using atrium::dicom::fromDicomJson;

TEST(DicomJson, InlineBinaryDecodesToBytes) {
  DcmDataset ds;
  fromDicomJson(nlohmann::json::parse(R"({"00191010": {"vr": "OB", "InlineBinary": "AAECAw=="}})"), ds);
  const Uint8* bytes = nullptr;
  unsigned long n = 0;
  ASSERT_TRUE(ds.findAndGetUint8Array(DcmTagKey(0x0019, 0x1010), bytes, &n).good());
  ASSERT_EQ(n, 4u);
  EXPECT_EQ(bytes[3], 3);
}

// DCMTK frees its buffer itself when nothing decodes; freeing it again was a double free
// (fuzz/regressions/dicom_json/inline-binary-that-decodes-to-nothing).
TEST(DicomJson, InlineBinaryThatDecodesToNothingIsAnEmptyValue) {
  for (const char* text : {"w ==", "", "====", "!"}) {
    DcmDataset ds;
    nlohmann::json j = {{"00191010", {{"vr", "UN"}, {"InlineBinary", text}}}};
    fromDicomJson(j, ds);
    DcmElement* e = nullptr;
    ASSERT_TRUE(ds.findAndGetElement(DcmTagKey(0x0019, 0x1010), e).good()) << text;
    EXPECT_EQ(e->getLength(), 0u) << text;
  }
}
