#pragma once
#include <string>
#include <string_view>

namespace atrium::dicom {

// PS3.5 9.1: 1-64 characters, digits and dots, no empty or zero-led (except "0") components.
bool isValidUid(std::string_view uid);
// Strip the trailing NUL/space padding a UI value may carry.
std::string trimUid(std::string_view uid);
// Every UID Atrium makes (analysis outputs, storage commitment transactions): "2.25." and a new
// UUID as one decimal number (PS3.5 B.2), so no registered root is needed and none is borrowed.
std::string newUid();

}  // namespace atrium::dicom
