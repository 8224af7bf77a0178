#pragma once
#include <string>

namespace atrium::dicom {

// Every Storage SOP Class DCMTK's dictionary knows (dcmAllStorageSOPClassUIDs), not a hand list.
bool isStorageSopClass(const std::string& uid);
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
