#pragma once
// The files a DICOMDIR references (read by DCMTK), found on disk the way removable media present
// them: names compared without regard to case.
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace atrium::media {

struct FileSetContents {
  std::vector<std::filesystem::path> files;  // referenced and present
  std::vector<std::string> missing;          // referenced file IDs not found
};

struct FileSetReadError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// FileSetReadError when the DICOMDIR cannot be read. A referenced file ID that would leave the
// DICOMDIR's folder ("..", absolute) counts as missing.
FileSetContents readFileSet(const std::filesystem::path& dicomdir);

// Whether the file is a DICOMDIR (Media Storage SOP Class 1.2.840.10008.1.3.10).
bool isDicomdir(const std::filesystem::path& file);

}  // namespace atrium::media
