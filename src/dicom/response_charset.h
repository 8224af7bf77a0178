#pragma once
// C-FIND and worklist answers in the character set of the query (PS3.4 C.4.1.1.3.1 / K.4.1.1.3.1:
// an SCP should answer in the requester's Specific Character Set). Built in UTF-8, a response is
// turned into the query's set when every value can be written in it: single-byte and GB18030/GBK by
// DCMTK's converter, Japanese (ISO 2022 IR 87 / IR 159 on IR 6) and Korean (ISO 2022 IR 149) with
// their escape sequences here. Otherwise it stays UTF-8 (ISO_IR 192), which the standard allows.
// A query without a Specific Character Set (the default repertoire) gets an answer without one when
// every value is ASCII.
#include <string>

class DcmDataset;

namespace atrium::dicom {

// `requested`: the query's (0008,0005) value, backslash-separated. Returns the character set the
// response is now in ("" for the default repertoire).
std::string answerInRequestedCharset(DcmDataset& response, const std::string& requested);

}  // namespace atrium::dicom
