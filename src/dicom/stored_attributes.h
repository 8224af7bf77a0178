#pragma once
// The attributes of an instance that the index keeps beside its typed columns, so that any return
// key the stored files hold can come back from C-FIND and QIDO-RS: the top-level, non-private,
// non-bulk ones (no sequences, no binary values, none over 1 KB), as DICOM JSON (PS3.18 F.2) with
// text decoded to UTF-8 and values as strings.
#include <string>

class DcmDataset;

namespace atrium::dicom {

class TextDecoder;

std::string storedAttributesJson(DcmDataset& ds, TextDecoder& text);

// A "Value" array of that JSON as a DICOM string: values joined by '\', person names as their
// component groups joined by '='. "" for no value or what is not such an array.
std::string valueFromStoredJson(const std::string& valueArray);

}  // namespace atrium::dicom
