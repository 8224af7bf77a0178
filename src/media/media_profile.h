#pragma once
// The media application profiles (PS3.11) that `atrium export` writes, and which stored transfer
// syntaxes each keeps as they are; anything else is written in Explicit VR Little Endian.
#include <optional>
#include <string>

namespace atrium::media {

enum class MediaProfile {
  GeneralCd,      // STD-GEN-CD: uncompressed only (CD-R, and any folder or USB stick a viewer reads)
  GeneralDvdJpeg, // STD-GEN-DVD-JPEG: uncompressed, JPEG baseline/extended/lossless
  UsbJpeg,        // STD-GEN-USB-JPEG: as DVD-JPEG, on USB and flash memory
  UsbJpeg2000,    // STD-GEN-USB-J2K: uncompressed, JPEG 2000 (lossless and lossy)
};

constexpr const char* kExplicitVrLittleEndian = "1.2.840.10008.1.2.1";

std::optional<MediaProfile> parseProfile(const std::string& name);
const char* profileName(MediaProfile p);
// The names parseProfile knows, for usage messages.
const char* profileNames();
// Whether a file stored in transfer syntax ts goes on this profile's media as it is.
bool keepsTransferSyntax(MediaProfile p, const std::string& ts);

}  // namespace atrium::media
