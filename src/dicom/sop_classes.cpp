#include "dicom/sop_classes.h"

#include <dcmtk/dcmdata/dcuid.h>

#include <string_view>
#include <unordered_set>

namespace atrium::dicom {

bool isStorageSopClass(const std::string& uid) {
  static const std::unordered_set<std::string_view> all = [] {
    std::unordered_set<std::string_view> s;
    for (int i = 0; i < numberOfDcmAllStorageSOPClassUIDs; ++i) s.insert(dcmAllStorageSOPClassUIDs[i]);
    return s;
  }();
  return all.count(uid) > 0;
}

bool isVerificationSopClass(const std::string& uid) { return uid == UID_VerificationSOPClass; }

bool isGrayscalePresentationState(const std::string& uid) {
  return uid == UID_GrayscaleSoftcopyPresentationStateStorage;
}

}  // namespace atrium::dicom
