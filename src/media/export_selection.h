#pragma once
// What an export takes from the archive: the stored instances of the named studies and patients,
// in study, series and instance order; and the Export messages of the audit trail.
#include <string>
#include <vector>

#include "index/index_db.h"
#include "media/file_set_writer.h"
#include "storage/file_store.h"

namespace atrium::media {

// UIDs and IDs that match nothing are returned in `unknown` ("study 1.2.3", "patient X").
std::vector<MediaItem> selectForExport(const index::IndexDatabase& index, const storage::FileStore& store,
                                       const std::vector<std::string>& studyUids,
                                       const std::vector<std::string>& patientIds, std::vector<std::string>& unknown);

// One Export message per study: who, from where, and where to (a folder, "download").
void auditExport(const std::vector<MediaItem>& items, const std::string& user, const std::string& address,
                 const std::string& destination);

// The plain ZIP of a download: PA000001/ST000001/SE000001/IM000001.dcm per instance.
class ZipWriter;
void writeZip(const std::vector<MediaItem>& items, ZipWriter& zip);
// Every file below folder, named by its path relative to it (a file-set as a ZIP).
void writeZipOfFolder(const std::filesystem::path& folder, ZipWriter& zip);

}  // namespace atrium::media
