#include <dcmtk/dcmdata/dcuid.h>
#include <gtest/gtest.h>

#include "dicom/transfer_syntax.h"

using atrium::dicom::selectStorageTransferSyntax;
using atrium::dicom::selectUncompressedTransferSyntax;

TEST(TransferSyntax, KeepsTheCompressedSyntaxTheSenderProposed) {
  EXPECT_EQ(selectStorageTransferSyntax({UID_LittleEndianImplicitTransferSyntax, UID_JPEGProcess14SV1TransferSyntax,
                                         UID_LittleEndianExplicitTransferSyntax}),
            UID_JPEGProcess14SV1TransferSyntax);
  EXPECT_EQ(selectStorageTransferSyntax({UID_JPEG2000TransferSyntax}), UID_JPEG2000TransferSyntax);
  EXPECT_EQ(selectStorageTransferSyntax({UID_DeflatedExplicitVRLittleEndianTransferSyntax}),
            UID_DeflatedExplicitVRLittleEndianTransferSyntax);
}

TEST(TransferSyntax, PrefersExplicitThenImplicitThenBigEndian) {
  EXPECT_EQ(
      selectStorageTransferSyntax({UID_LittleEndianImplicitTransferSyntax, UID_LittleEndianExplicitTransferSyntax}),
      UID_LittleEndianExplicitTransferSyntax);
  EXPECT_EQ(selectStorageTransferSyntax({UID_BigEndianExplicitTransferSyntax, UID_LittleEndianImplicitTransferSyntax}),
            UID_LittleEndianImplicitTransferSyntax);
  EXPECT_EQ(selectStorageTransferSyntax({UID_BigEndianExplicitTransferSyntax}), UID_BigEndianExplicitTransferSyntax);
}

TEST(TransferSyntax, RefusesUnknownSyntaxes) {
  EXPECT_EQ(selectStorageTransferSyntax({"1.2.3.4"}), "");
  EXPECT_EQ(selectStorageTransferSyntax({}), "");
  EXPECT_EQ(selectUncompressedTransferSyntax({UID_JPEGProcess1TransferSyntax}), "");
}
