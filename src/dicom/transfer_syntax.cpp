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
      // Video (endoscopy, ultrasound clips, angiography runs): stored and served as they come.
      UID_MPEG2MainProfileAtMainLevelTransferSyntax, UID_MPEG2MainProfileAtHighLevelTransferSyntax,
      UID_MPEG4HighProfileLevel4_1TransferSyntax, UID_MPEG4BDcompatibleHighProfileLevel4_1TransferSyntax,
      UID_MPEG4HighProfileLevel4_2_For2DVideoTransferSyntax, UID_MPEG4HighProfileLevel4_2_For3DVideoTransferSyntax,
      UID_MPEG4StereoHighProfileLevel4_2TransferSyntax, UID_HEVCMainProfileLevel5_1TransferSyntax,
      UID_HEVCMain10ProfileLevel5_1TransferSyntax,
  };
  return list;
}

bool isVideoTransferSyntax(const std::string& uid) {
  return uid.rfind("1.2.840.10008.1.2.4.10", 0) == 0 && uid.size() == 23;
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
