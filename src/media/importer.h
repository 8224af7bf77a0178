#pragma once
// `atrium import` and POST /api/import: DICOMDIR media, plain folders, ZIP files and single files
// into the archive through the one ingest path, with counts and the reason of every failure.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "ingest/ingestor.h"

namespace atrium::media {

struct ImportReport {
  std::size_t stored = 0, duplicates = 0;
  std::size_t skipped = 0;            // not DICOM (README.TXT, INDEX.HTM, ...) or a DICOMDIR itself
  std::size_t headerless = 0;         // data sets without a Part 10 header, given one
  std::vector<std::string> failures;  // "<where>: why" (refused by ingest, unreadable, missing from the medium)
  struct Study {
    std::string patientId, patientName;
    std::size_t instances = 0;
  };
  std::map<std::string, Study> studies;  // by Study Instance UID, what was stored or already there
};

class Importer {
 public:
  // source: the index's source of what is imported (and the audit trail's "who"), address: from where.
  Importer(ingest::Ingestor& ingestor, std::string source, std::string address = {});

  // A DICOMDIR (or a folder holding one): the files it references. A folder without one: every
  // file below it. A ZIP: its entries. Any other file: itself.
  void importPath(const std::filesystem::path& path, ImportReport& report);
  // One file received (an upload): a ZIP or a DICOM file; consumed (moved or removed).
  void importReceived(const std::filesystem::path& tempFile, const std::string& shownAs, ImportReport& report);

 private:
  void importFile(const std::filesystem::path& file, const std::string& shownAs, ImportReport& report);
  void importHeaderless(const std::filesystem::path& file, const std::string& shownAs, ImportReport& report);
  void importZip(const std::filesystem::path& zip, const std::string& shownAs, ImportReport& report);
  // The staged copy goes through the ingestor (which consumes it).
  void ingestStaged(const std::filesystem::path& staged, const std::string& shownAs, ImportReport& report);

  ingest::Ingestor& ingestor_;
  std::string source_, address_;
};

// "DICM" after the 128-byte preamble: a Part 10 file (anything else on a medium is not for the archive).
bool hasPart10Magic(const std::filesystem::path& file);

// One Import message per study in the audit trail.
void auditImport(const ImportReport& report, const std::string& user, const std::string& address,
                 const std::string& what);

}  // namespace atrium::media
