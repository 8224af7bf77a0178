#pragma once
// Query/Retrieve SCU (find, move, get), on DCMTK's DcmSCU.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "dimse/scu_association.h"

class DcmDataset;

namespace atrium::dimse {

enum class QrModel { PatientRoot, StudyRoot, Worklist };  // Worklist: find only

struct RetrieveProgress {
  unsigned remaining = 0, completed = 0, failed = 0, warning = 0;
};

struct QrResult {
  std::uint16_t status = 0xFFFF;  // final DIMSE status
  std::string errorComment;
  std::string failedUids;    // Failed SOP Instance UID List of a retrieve
  std::size_t received = 0;  // C-GET: instances written
};

// Throws std::runtime_error when the association cannot be made.
QrResult findScu(const PeerAddress& peer, QrModel model, DcmDataset& identifier,
                 const std::function<void(DcmDataset&)>& onMatch);
QrResult moveScu(const PeerAddress& peer, QrModel model, const std::string& destination, DcmDataset& identifier,
                 const std::function<void(const RetrieveProgress&)>& onProgress);
// Instances are written bit-preserving to outDir as <SOP Instance UID>.dcm (a hash when the UID
// is not a valid UID).
QrResult getScu(const PeerAddress& peer, QrModel model, DcmDataset& identifier, const std::filesystem::path& outDir,
                const std::function<void(const RetrieveProgress&)>& onProgress);

}  // namespace atrium::dimse
