#pragma once
// A DICOM file-set (PS3.10) in a folder, as media for patients and referrers: the instances under
// DICOM/ with 8-character names (IHE PDI layout: PAnnnnnn/STnnnnnn/SEnnnnnn/IMnnnnnn), a DICOMDIR
// written by DCMTK for the chosen application profile, and a README.TXT.
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "media/media_profile.h"

namespace atrium::media {

struct MediaItem {
  std::filesystem::path file;  // a stored Part 10 file
  std::string patientKey;      // what tells patients apart (ID and issuer)
  std::string patientId, patientName;  // for the audit trail
  std::string studyUid, seriesUid, sopUid, transferSyntax;
};

struct FileSetReport {
  std::size_t written = 0, transcoded = 0;
  std::vector<std::string> failures;  // "<SOP Instance UID>: why"
  std::size_t patients = 0, studies = 0, series = 0;
};

struct FileSetError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Writes the file-set into `folder`, which must not exist or be empty. An instance that cannot be
// written (no conversion to what the profile allows, refused by the profile) is left out and named
// in the report; FileSetError when nothing could be written or the DICOMDIR cannot be made.
FileSetReport writeFileSet(const std::vector<MediaItem>& items, const std::filesystem::path& folder,
                           MediaProfile profile, const std::string& filesetId);

}  // namespace atrium::media
