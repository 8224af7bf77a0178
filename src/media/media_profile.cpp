#include "media/media_profile.h"

namespace atrium::media {
namespace {

bool isJpeg(const std::string& ts) {
  return ts == "1.2.840.10008.1.2.4.50" || ts == "1.2.840.10008.1.2.4.51" || ts == "1.2.840.10008.1.2.4.57" ||
         ts == "1.2.840.10008.1.2.4.70";
}
bool isJpeg2000(const std::string& ts) { return ts == "1.2.840.10008.1.2.4.90" || ts == "1.2.840.10008.1.2.4.91"; }

}  // namespace

std::optional<MediaProfile> parseProfile(const std::string& name) {
  if (name == "STD-GEN-CD") return MediaProfile::GeneralCd;
  if (name == "STD-GEN-DVD-JPEG") return MediaProfile::GeneralDvdJpeg;
  if (name == "STD-GEN-USB-JPEG") return MediaProfile::UsbJpeg;
  if (name == "STD-GEN-USB-J2K") return MediaProfile::UsbJpeg2000;
  return std::nullopt;
}

const char* profileName(MediaProfile p) {
  switch (p) {
    case MediaProfile::GeneralCd:
      return "STD-GEN-CD";
    case MediaProfile::GeneralDvdJpeg:
      return "STD-GEN-DVD-JPEG";
    case MediaProfile::UsbJpeg:
      return "STD-GEN-USB-JPEG";
    case MediaProfile::UsbJpeg2000:
      return "STD-GEN-USB-J2K";
  }
  return "STD-GEN-CD";
}

const char* profileNames() { return "STD-GEN-CD, STD-GEN-DVD-JPEG, STD-GEN-USB-JPEG, STD-GEN-USB-J2K"; }

bool keepsTransferSyntax(MediaProfile p, const std::string& ts) {
  if (ts == kExplicitVrLittleEndian) return true;
  switch (p) {
    case MediaProfile::GeneralCd:
      return false;
    case MediaProfile::GeneralDvdJpeg:
    case MediaProfile::UsbJpeg:
      return isJpeg(ts);
    case MediaProfile::UsbJpeg2000:
      return isJpeg2000(ts);
  }
  return false;
}

}  // namespace atrium::media
