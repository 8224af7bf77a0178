#pragma once
#include <string>
#include <string_view>

namespace atrium::dicom {

// PS3.5 9.1: 1-64 characters, digits and dots, no empty or zero-led (except "0") components.
bool isValidUid(std::string_view uid);
// Strip the trailing NUL/space padding a UI value may carry.
std::string trimUid(std::string_view uid);

}  // namespace atrium::dicom
