#include "media/importer.h"

#include <fstream>

#include "audit/audit_trail.h"
#include "common/fs.h"
#include "dicom/transcode.h"
#include "media/file_set_reader.h"
#include "media/zip_archive.h"

namespace atrium::media {
bool hasPart10Magic(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  char buf[132] = {};
  return in.read(buf, sizeof buf) && buf[128] == 'D' && buf[129] == 'I' && buf[130] == 'C' && buf[131] == 'M';
}

Importer::Importer(ingest::Ingestor& ingestor, std::string source, std::string address)
    : ingestor_(ingestor), source_(std::move(source)), address_(std::move(address)) {}

void Importer::importPath(const std::filesystem::path& path, ImportReport& report) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    // A folder with a DICOMDIR is a medium: what it references, as the standard reads it.
    for (const char* name : {"DICOMDIR", "dicomdir"})
      if (std::filesystem::is_regular_file(path / name, ec) && isDicomdir(path / name))
        return importPath(path / name, report);
    std::vector<std::filesystem::path> files;
    for (auto it = std::filesystem::recursive_directory_iterator(path, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
      if (it->is_regular_file(ec)) files.push_back(it->path());
    if (ec) report.failures.push_back(path.string() + ": cannot list: " + ec.message());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) importPath(f, report);
    return;
  }
  if (!std::filesystem::is_regular_file(path, ec)) {
    report.failures.push_back(path.string() + ": no such file or folder");
    return;
  }
  if (looksLikeZip(path)) return importZip(path, path.string(), report);
  if (hasPart10Magic(path) && isDicomdir(path)) {
    try {
      auto contents = readFileSet(path);
      for (const auto& f : contents.files) importFile(f, f.string(), report);
      for (const auto& m : contents.missing)
        report.failures.push_back(path.string() + ": references " + m + ", which is not on the medium");
    } catch (const FileSetReadError& e) {
      report.failures.push_back(e.what());
    }
    return;
  }
  importFile(path, path.string(), report);
}

void Importer::importFile(const std::filesystem::path& file, const std::string& shownAs, ImportReport& report) {
  if (!hasPart10Magic(file)) return importHeaderless(file, shownAs, report);
  if (isDicomdir(file)) {
    ++report.skipped;
    return;
  }
  // A copy in the ingestor's incoming folder: the source stays untouched (media are read-only).
  auto staged = fs::uniqueTempPath(ingestor_.incomingFolder(), "import");
  std::error_code ec;
  std::filesystem::create_directories(ingestor_.incomingFolder(), ec);
  std::filesystem::copy_file(file, staged, ec);
  if (ec) {
    std::filesystem::remove(staged, ec);
    report.failures.push_back(shownAs + ": cannot copy: " + ec.message());
    return;
  }
  ingestStaged(staged, shownAs, report);
}

void Importer::importHeaderless(const std::filesystem::path& file, const std::string& shownAs,
                                ImportReport& report) {
  // Old media and some modalities write bare data sets: given a Part 10 header (same transfer
  // syntax), they go the same way. Anything that does not read as a data set with SOP UIDs is not
  // for the archive (README.TXT, viewer programs).
  std::error_code ec;
  std::filesystem::create_directories(ingestor_.incomingFolder(), ec);
  auto staged = fs::uniqueTempPath(ingestor_.incomingFolder(), "import");
  std::string why;
  if (!dicom::addPart10Header(file, staged, why)) {
    std::filesystem::remove(staged, ec);
    ++report.skipped;
    return;
  }
  ++report.headerless;
  ingestStaged(staged, shownAs, report);
}

void Importer::importZip(const std::filesystem::path& zip, const std::string& shownAs, ImportReport& report) {
  std::error_code ec;
  std::filesystem::create_directories(ingestor_.incomingFolder(), ec);
  try {
    forEachZipEntry(zip, ingestor_.incomingFolder(), [&](const std::filesystem::path& extracted, const std::string& name) {
      std::error_code rmEc;
      if (!hasPart10Magic(extracted)) {
        importHeaderless(extracted, shownAs + ":" + name, report);
        std::filesystem::remove(extracted, rmEc);
        return;
      }
      if (isDicomdir(extracted)) {
        ++report.skipped;
        std::filesystem::remove(extracted, rmEc);
        return;
      }
      ingestStaged(extracted, shownAs + ":" + name, report);
    });
  } catch (const ZipError& e) {
    report.failures.push_back(e.what());
  }
}

void Importer::importReceived(const std::filesystem::path& tempFile, const std::string& shownAs,
                              ImportReport& report) {
  std::error_code ec;
  if (looksLikeZip(tempFile)) {
    importZip(tempFile, shownAs, report);
    std::filesystem::remove(tempFile, ec);
  } else if (!hasPart10Magic(tempFile)) {
    const auto before = report.headerless;
    importHeaderless(tempFile, shownAs, report);
    if (report.headerless == before) report.failures.push_back(shownAs + ": neither a ZIP nor a DICOM file");
    std::filesystem::remove(tempFile, ec);
  } else {
    ingestStaged(tempFile, shownAs, report);
  }
}

void Importer::ingestStaged(const std::filesystem::path& staged, const std::string& shownAs, ImportReport& report) {
  auto r = ingestor_.ingestReceived(staged, source_, address_);
  if (!r.success()) {
    report.failures.push_back(shownAs + ": " + ingest::statusName(r.status) + (r.message.empty() ? "" : ": ") +
                              r.message);
    return;
  }
  if (r.status == ingest::IngestStatus::Duplicate)
    ++report.duplicates;
  else
    ++report.stored;
  auto& study = report.studies[r.studyUid];
  study.patientId = r.patientId;
  study.patientName = r.patientName;
  ++study.instances;
}

void auditImport(const ImportReport& report, const std::string& user, const std::string& address,
                 const std::string& what) {
  for (const auto& [uid, study] : report.studies) {
    audit::Message m;
    m.event = audit::Event::Import;
    m.action = 'C';
    m.user = user;
    m.address = address;
    m.patientId = study.patientId;
    m.patientName = study.patientName;
    m.studyUid = uid;
    m.detail = std::to_string(study.instances) + " instances imported from " + what;
    audit::record(m);
  }
  if (!report.failures.empty()) {
    audit::Message m;
    m.event = audit::Event::Import;
    m.action = 'C';
    m.outcome = report.studies.empty() ? audit::Outcome::SeriousFailure : audit::Outcome::MinorFailure;
    m.user = user;
    m.address = address;
    m.detail = std::to_string(report.failures.size()) + " files not imported from " + what;
    audit::record(m);
  }
}

}  // namespace atrium::media
