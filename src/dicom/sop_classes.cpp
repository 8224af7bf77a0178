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

bool isWorklistSopClass(const std::string& uid) { return uid == UID_FINDModalityWorklistInformationModel; }

bool isStorageCommitmentSopClass(const std::string& uid) { return uid == UID_StorageCommitmentPushModelSOPClass; }
bool isMppsSopClass(const std::string& uid) { return uid == UID_ModalityPerformedProcedureStepSOPClass; }

QrService queryRetrieveService(const std::string& uid, QrRoot* root) {
  struct Entry {
    const char* uid;
    QrService service;
    QrRoot root;
  };
  static const Entry table[] = {
      {UID_FINDPatientRootQueryRetrieveInformationModel, QrService::Find, QrRoot::Patient},
      {UID_FINDStudyRootQueryRetrieveInformationModel, QrService::Find, QrRoot::Study},
      {UID_MOVEPatientRootQueryRetrieveInformationModel, QrService::Move, QrRoot::Patient},
      {UID_MOVEStudyRootQueryRetrieveInformationModel, QrService::Move, QrRoot::Study},
      {UID_GETPatientRootQueryRetrieveInformationModel, QrService::Get, QrRoot::Patient},
      {UID_GETStudyRootQueryRetrieveInformationModel, QrService::Get, QrRoot::Study},
  };
  for (const auto& e : table)
    if (uid == e.uid) {
      if (root) *root = e.root;
      return e.service;
    }
  return QrService::None;
}

}  // namespace atrium::dicom
