#include "dicom/transfer_syntax.h"

#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>

namespace atrium::dicom {

const std::vector<std::string>& acceptedTransferSyntaxes() {
  static const std::vector<std::string> list = {
      UID_LittleEndianImplicitTransferSyntax, UID_LittleEndianExplicitTransferSyntax,
      UID_BigEndianExplicitTransferSyntax,    UID_DeflatedExplicitVRLittleEndianTransferSyntax,
      UID_JPEGProcess1TransferSyntax,      // baseline
      UID_JPEGProcess2_4TransferSyntax,    // extended
      UID_JPEGProcess14TransferSyntax,     // lossless .57
      UID_JPEGProcess14SV1TransferSyntax,  // lossless .70
      UID_JPEGLSLosslessTransferSyntax,       UID_JPEGLSLossyTransferSyntax,
      UID_JPEG2000LosslessOnlyTransferSyntax, UID_JPEG2000TransferSyntax,
      UID_RLELosslessTransferSyntax,
  };
  return list;
}

bool isAcceptedTransferSyntax(const std::string& uid) {
  const auto& l = acceptedTransferSyntaxes();
  return std::find(l.begin(), l.end(), uid) != l.end();
}

bool isNativeTransferSyntax(const std::string& uid) {
  return uid == UID_LittleEndianImplicitTransferSyntax || uid == UID_LittleEndianExplicitTransferSyntax ||
         uid == UID_BigEndianExplicitTransferSyntax;
}

namespace {
bool proposedHas(const std::vector<std::string>& proposed, const char* uid) {
  return std::find(proposed.begin(), proposed.end(), uid) != proposed.end();
}
}  // namespace

std::string selectStorageTransferSyntax(const std::vector<std::string>& proposed) {
  for (const auto& ts : proposed)
    if (isAcceptedTransferSyntax(ts) && !isNativeTransferSyntax(ts)) return ts;
  for (const char* ts : {UID_LittleEndianExplicitTransferSyntax, UID_LittleEndianImplicitTransferSyntax,
                         UID_BigEndianExplicitTransferSyntax})
    if (proposedHas(proposed, ts)) return ts;
  return {};
}

std::string selectUncompressedTransferSyntax(const std::vector<std::string>& proposed) {
  for (const char* ts : {UID_LittleEndianExplicitTransferSyntax, UID_LittleEndianImplicitTransferSyntax,
                         UID_BigEndianExplicitTransferSyntax})
    if (proposedHas(proposed, ts)) return ts;
  return {};
}

}  // namespace atrium::dicom
