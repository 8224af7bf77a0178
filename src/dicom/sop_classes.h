#pragma once
#include <string>
#include <vector>

namespace atrium::dicom {

// Every Storage SOP Class DCMTK's dictionary knows (dcmAllStorageSOPClassUIDs), not a hand list,
// and the private ones below.
bool isStorageSopClass(const std::string& uid);

// Private storage classes that devices send and that are kept like any other object: DCMTK's own
// (OFFIS root: the private generic file class, and the class that its presentation state module,
// dcmpstat, stores its DIMSE logs in) and Siemens' CSA Non-Image.
struct PrivateStorageClass {
  const char* uid;
  const char* name;
};
const std::vector<PrivateStorageClass>& knownPrivateStorageClasses();
// More private classes from the configuration ("private_storage_sop_classes"); called once, before
// any association. Throws std::invalid_argument naming a malformed UID.
void acceptPrivateStorageClasses(const std::vector<std::string>& uids);
bool isVerificationSopClass(const std::string& uid);
bool isGrayscalePresentationState(const std::string& uid);
bool isWorklistSopClass(const std::string& uid);           // Modality Worklist Information Model - FIND
bool isStorageCommitmentSopClass(const std::string& uid);  // Storage Commitment Push Model
bool isMppsSopClass(const std::string& uid);               // Modality Performed Procedure Step

enum class QrService { None, Find, Move, Get };
enum class QrRoot { Patient, Study };
// Patient/Study Root Query/Retrieve FIND, MOVE and GET SOP classes.
QrService queryRetrieveService(const std::string& uid, QrRoot* root = nullptr);

}  // namespace atrium::dicom
