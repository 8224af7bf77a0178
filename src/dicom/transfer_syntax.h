#pragma once
// Which transfer syntaxes Atrium accepts, and which one it picks from a proposal.
#include <string>
#include <vector>

namespace atrium::dicom {

// The syntaxes Atrium receives and stores as they are (PS3.5 Annex A).
const std::vector<std::string>& acceptedTransferSyntaxes();
bool isAcceptedTransferSyntax(const std::string& uid);
// Native (uncompressed, not deflated) little/big endian syntaxes.
bool isNativeTransferSyntax(const std::string& uid);
// MPEG-2, MPEG-4 AVC/H.264 and HEVC/H.265 (1.2.840.10008.1.2.4.100-108): stored as they come; no
// decoder here, so never rendered or converted.
bool isVideoTransferSyntax(const std::string& uid);

// Pick one of the proposed syntaxes for a storage context: the first proposed
// compressed (or deflated) one we support — keep what the modality made — else
// Explicit VR LE, else Implicit VR LE, else Explicit VR BE. Empty if none is acceptable.
std::string selectStorageTransferSyntax(const std::vector<std::string>& proposed);
// For non-storage services (verification, later query): Explicit LE, else Implicit LE.
std::string selectUncompressedTransferSyntax(const std::vector<std::string>& proposed);

}  // namespace atrium::dicom
