#include "dicom/sop_classes.h"

#include "dicom/uid.h"

#include <dcmtk/dcmdata/dcuid.h>

#include <stdexcept>
#include <string_view>
#include <unordered_set>

namespace atrium::dicom {

namespace {
std::unordered_set<std::string>& configuredPrivateClasses() {
  static std::unordered_set<std::string> uids;
  return uids;
}
}  // namespace

const std::vector<PrivateStorageClass>& knownPrivateStorageClasses() {
  static const std::vector<PrivateStorageClass> known = {
      {UID_PrivateGenericFileSOPClass, "OFFIS DCMTK Private Generic File"},
      {"1.2.276.0.7230010.3.4.1915765545.18030.917282194.2", "OFFIS DCMTK Presentation State (dcmpstat) DIMSE Log"},
      {"1.3.12.2.1107.5.9.1", "Siemens CSA Non-Image"},
  };
  return known;
}

void acceptPrivateStorageClasses(const std::vector<std::string>& uids) {
  for (const auto& u : uids)
    if (!isValidUid(u)) throw std::invalid_argument("private_storage_sop_classes: '" + u + "' is not a UID");
  configuredPrivateClasses().insert(uids.begin(), uids.end());
}

bool isStorageSopClass(const std::string& uid) {
  static const std::unordered_set<std::string_view> all = [] {
    std::unordered_set<std::string_view> s;
    for (int i = 0; i < numberOfDcmAllStorageSOPClassUIDs; ++i) s.insert(dcmAllStorageSOPClassUIDs[i]);
    for (const auto& p : knownPrivateStorageClasses()) s.insert(p.uid);
    return s;
  }();
  return all.count(uid) > 0 || configuredPrivateClasses().count(uid) > 0;
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
