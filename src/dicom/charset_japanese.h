#pragma once
// Japanese ISO 2022 (ISO 2022 IR 13 / IR 87 / IR 159) to UTF-8.
//
// Why this exists: Debian's DCMTK converts character sets through glibc's iconv, and in that
// mode DCMTK refuses the Japanese code extensions ("not supported by the utilized character set
// conversion library"). glibc itself can decode JIS X 0208/0212 runs, so this walks the DICOM
// escape sequences (PS3.5 6.1.2.5, PS3.3 C.12.1.1.2) and hands each run to iconv.
#include <string>
#include <vector>

namespace atrium::dicom {

// True when the Specific Character Set (its values) uses a Japanese ISO 2022 set.
bool isJapaneseIso2022(const std::vector<std::string>& specificCharacterSet);

// Decode one value. personName: '^' and '=' reset the code state like CR/LF/TAB/'\'.
// Bytes that cannot be decoded become U+FFFD.
std::string decodeJapaneseIso2022(const std::string& raw, const std::vector<std::string>& specificCharacterSet,
                                  bool personName);

}  // namespace atrium::dicom
