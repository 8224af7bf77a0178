#pragma once
// Text values of a data set as UTF-8: the Specific Character Set decoded once per data set.
#include <dcmtk/dcmdata/dcspchrs.h>

#include <string>
#include <vector>

class DcmItem;
class DcmTagKey;

namespace atrium::dicom {

// The raw bytes of a string value (all values, backslash-separated), or "".
std::string getRaw(DcmItem& item, const DcmTagKey& key);
// The value as DCMTK renders it (any VR; values backslash-separated, each without padding), or "".
// Not decoded from the Specific Character Set: for codes, UIDs, dates and numbers.
std::string stringValue(DcmItem& item, const DcmTagKey& key);
// Only 7-bit characters (the default repertoire).
bool isAscii(const std::string& s);
// Strip leading/trailing spaces and trailing NULs.
std::string trim(std::string s);
// Trailing empty components and groups carry no meaning (PS3.5 6.2.1): "A^B^^=" is "A^B".
std::string trimPersonName(std::string pn);

class TextDecoder {
 public:
  // Reads (0008,0005) of the data set; DCMTK converts, except Japanese ISO 2022 which its glibc
  // backend refuses (see charset_japanese.h).
  explicit TextDecoder(DcmItem& dataset);
  // Delimiters reset ISO 2022 code extensions (PS3.5 6.1.2.5.3): '^' and '=' too for PN.
  std::string decode(const std::string& raw, bool personName);
  const std::string& charset() const { return charset_; }

 private:
  enum class Mode { Raw, Dcmtk, Japanese };
  DcmSpecificCharacterSet converter_;
  std::string charset_;
  std::vector<std::string> values_;
  Mode mode_ = Mode::Raw;
};

}  // namespace atrium::dicom
