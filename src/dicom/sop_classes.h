#pragma once
#include <string>

namespace atrium::dicom {

// Every Storage SOP Class DCMTK's dictionary knows (dcmAllStorageSOPClassUIDs), not a hand list.
bool isStorageSopClass(const std::string& uid);
bool isVerificationSopClass(const std::string& uid);
bool isGrayscalePresentationState(const std::string& uid);

}  // namespace atrium::dicom
