#include <dcmtk/dcmdata/dcuid.h>
#include <gtest/gtest.h>

#include "dimse/negotiation.h"

using namespace atrium;
using namespace atrium::dimse;

TEST(Negotiation, ChecksCalledAndCallingAeTitles) {
  Config c;
  c.aet = "ATRIUM";
  EXPECT_EQ(checkAssociation(c, "ANY", "ATRIUM", 0), AssociationRejection::None);
  EXPECT_EQ(checkAssociation(c, "ANY", "OTHER", 0), AssociationRejection::CalledAeNotRecognized);
  c.checkCalledAet = false;
  EXPECT_EQ(checkAssociation(c, "ANY", "OTHER", 0), AssociationRejection::None);
  c.allowedCallingAets = {"CT1"};
  EXPECT_EQ(checkAssociation(c, "CT1 ", "ATRIUM", 0), AssociationRejection::None);
  EXPECT_EQ(checkAssociation(c, "MR9", "ATRIUM", 0), AssociationRejection::CallingAeNotRecognized);
}

TEST(Negotiation, LimitsSimultaneousAssociations) {
  Config c;
  c.maxAssociations = 2;
  EXPECT_EQ(checkAssociation(c, "A", "ATRIUM", 1), AssociationRejection::None);
  EXPECT_EQ(checkAssociation(c, "A", "ATRIUM", 2), AssociationRejection::TooManyAssociations);
}

TEST(Negotiation, AcceptsTheServicesAtriumProvidesOnly) {
  auto ct = negotiateContext(UID_CTImageStorage, {UID_LittleEndianImplicitTransferSyntax});
  EXPECT_EQ(ct.decision, ContextDecision::Accept);
  EXPECT_EQ(ct.transferSyntax, UID_LittleEndianImplicitTransferSyntax);
  EXPECT_EQ(negotiateContext(UID_RTStructureSetStorage, {UID_JPEGLSLosslessTransferSyntax}).decision,
            ContextDecision::Accept);
  EXPECT_EQ(negotiateContext(UID_VerificationSOPClass, {UID_LittleEndianImplicitTransferSyntax}).decision,
            ContextDecision::Accept);
  EXPECT_EQ(negotiateContext(UID_FINDStudyRootQueryRetrieveInformationModel, {UID_LittleEndianImplicitTransferSyntax})
                .decision,
            ContextDecision::Accept);
  EXPECT_EQ(
      negotiateContext(UID_GETPatientRootQueryRetrieveInformationModel, {UID_JPEGProcess1TransferSyntax}).decision,
      ContextDecision::TransferSyntaxesNotSupported);
  EXPECT_EQ(negotiateContext(UID_StorageCommitmentPushModelSOPClass, {UID_LittleEndianImplicitTransferSyntax}).decision,
            ContextDecision::Accept);
  EXPECT_EQ(
      negotiateContext(UID_FINDModalityWorklistInformationModel, {UID_LittleEndianExplicitTransferSyntax}).decision,
      ContextDecision::Accept);
  EXPECT_EQ(
      negotiateContext(UID_ModalityPerformedProcedureStepSOPClass, {UID_LittleEndianImplicitTransferSyntax}).decision,
      ContextDecision::Accept);
  EXPECT_EQ(negotiateContext(UID_BasicFilmSessionSOPClass, {UID_LittleEndianImplicitTransferSyntax}).decision,
            ContextDecision::AbstractSyntaxNotSupported);
  auto implicitOnly = negotiateContext(UID_CTImageStorage,
                                       {UID_JPEGProcess14SV1TransferSyntax, UID_LittleEndianImplicitTransferSyntax}, true);
  EXPECT_EQ(implicitOnly.transferSyntax, UID_LittleEndianImplicitTransferSyntax);
  EXPECT_EQ(negotiateContext(UID_CTImageStorage, {UID_JPEGProcess14SV1TransferSyntax}, true).decision,
            ContextDecision::TransferSyntaxesNotSupported);
  EXPECT_EQ(negotiateContext(UID_CTImageStorage, {"1.2.3"}).decision, ContextDecision::TransferSyntaxesNotSupported);
}
