#include "dicom/uid.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/ofstd/ofuuid.h>

namespace atrium::dicom {

bool isValidUid(std::string_view uid) {
  if (uid.empty() || uid.size() > 64) return false;
  std::size_t componentStart = 0;
  for (std::size_t i = 0; i <= uid.size(); ++i) {
    if (i == uid.size() || uid[i] == '.') {
      std::size_t len = i - componentStart;
      if (len == 0) return false;
      if (len > 1 && uid[componentStart] == '0') return false;
      componentStart = i + 1;
    } else if (uid[i] < '0' || uid[i] > '9') {
      return false;
    }
  }
  return true;
}

std::string trimUid(std::string_view uid) {
  while (!uid.empty() && (uid.back() == '\0' || uid.back() == ' ')) uid.remove_suffix(1);
  while (!uid.empty() && uid.front() == ' ') uid.remove_prefix(1);
  return std::string(uid);
}

std::string newUid() {
  OFString s;
  OFUUID().toString(s, OFUUID::ER_RepresentationOID);
  return s.c_str();
}

}  // namespace atrium::dicom
