#include "dimse/negotiation.h"

#include <algorithm>

#include "dicom/sop_classes.h"
#include "dicom/transfer_syntax.h"

namespace atrium::dimse {
namespace {
std::string trimAe(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}
}  // namespace

AssociationRejection checkAssociation(const Config& config, const std::string& callingAet, const std::string& calledAet,
                                      int activeAssociations, const std::vector<std::string>& listenerAets) {
  if (config.checkCalledAet) {
    const auto called = trimAe(calledAet);
    const bool known = listenerAets.empty() ? called == trimAe(config.aet)
                                            : std::any_of(listenerAets.begin(), listenerAets.end(),
                                                          [&](const std::string& a) { return trimAe(a) == called; });
    if (!known) return AssociationRejection::CalledAeNotRecognized;
  }
  if (!config.allowedCallingAets.empty()) {
    auto calling = trimAe(callingAet);
    bool known = std::any_of(config.allowedCallingAets.begin(), config.allowedCallingAets.end(),
                             [&](const std::string& a) { return trimAe(a) == calling; });
    if (!known) return AssociationRejection::CallingAeNotRecognized;
  }
  if (activeAssociations >= config.maxAssociations) return AssociationRejection::TooManyAssociations;
  return AssociationRejection::None;
}

ContextResult negotiateContext(const std::string& abstractSyntax, const std::vector<std::string>& proposed,
                               bool onlyImplicit) {
  if (onlyImplicit) {
    // Old devices that mishandle anything else: Implicit VR Little Endian or nothing.
    auto result = negotiateContext(abstractSyntax, proposed, false);
    if (result.decision != ContextDecision::Accept) return result;
    if (std::find(proposed.begin(), proposed.end(), "1.2.840.10008.1.2") == proposed.end())
      return {ContextDecision::TransferSyntaxesNotSupported, {}};
    return {ContextDecision::Accept, "1.2.840.10008.1.2"};
  }
  if (dicom::isVerificationSopClass(abstractSyntax) ||
      dicom::queryRetrieveService(abstractSyntax) != dicom::QrService::None ||
      dicom::isWorklistSopClass(abstractSyntax) || dicom::isStorageCommitmentSopClass(abstractSyntax) ||
      dicom::isMppsSopClass(abstractSyntax)) {
    auto ts = dicom::selectUncompressedTransferSyntax(proposed);
    if (ts.empty()) return {ContextDecision::TransferSyntaxesNotSupported, {}};
    return {ContextDecision::Accept, ts};
  }
  if (dicom::isStorageSopClass(abstractSyntax)) {
    auto ts = dicom::selectStorageTransferSyntax(proposed);
    if (ts.empty()) return {ContextDecision::TransferSyntaxesNotSupported, {}};
    return {ContextDecision::Accept, ts};
  }
  return {ContextDecision::AbstractSyntaxNotSupported, {}};
}

}  // namespace atrium::dimse
