// atrium export | import: studies onto media (a DICOMDIR file-set) and media, folders and ZIP files
// into the archive.
#include <dcmtk/oflog/oflog.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "archive/archive.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/data_folder.h"
#include "common/fs.h"
#include "config/config.h"
#include "deid/deidentifier.h"
#include "dicom/dcmtk_setup.h"
#include "dicom/instance_reader.h"
#include "index/index_db.h"
#include "media/export_selection.h"
#include "media/file_set_writer.h"
#include "media/importer.h"
#include "storage/file_store.h"

namespace atrium::cli {
namespace {

// The items replaced by de-identified copies in `temp` (UIDs, patient and file as the copies have
// them); what cannot be de-identified is left out and named.
std::vector<media::MediaItem> deidentifiedItems(const std::vector<media::MediaItem>& items, deid::Settings settings,
                                                const std::filesystem::path& temp, std::vector<std::string>& failures) {
  deid::Deidentifier deidentifier(std::move(settings));
  std::vector<media::MediaItem> out;
  std::size_t n = 0;
  for (const auto& item : items) {
    auto file = temp / ("D" + std::to_string(++n) + ".dcm");
    try {
      auto r = deidentifier.file(item.file, file);
      auto meta = dicom::readFileMeta(file);
      auto copy = item;
      copy.file = file;
      copy.sopUid = r.sopUid;
      copy.studyUid = r.studyUid;
      copy.seriesUid = r.seriesUid;
      copy.transferSyntax = meta.transferSyntaxUid;
      copy.patientId = copy.patientName = "";
      out.push_back(std::move(copy));
    } catch (const std::exception& e) {
      failures.push_back(item.sopUid + ": not de-identified: " + e.what());
    }
  }
  return out;
}

}  // namespace

int runExport(int argc, char** argv) {
  Config config;
  std::filesystem::path to;
  media::MediaProfile profile = media::MediaProfile::GeneralCd;
  std::vector<std::string> studies, patients;
  bool json = false, deidentify = false;
  deid::Settings deidSettings;
  try {
    Args args(argc, argv, 2, commandSpec("export"));
    if (!args.positionals().empty()) throw UsageError("unexpected argument '" + args.positionals()[0] + "'");
    studies = args.all("study");
    patients = args.all("patient");
    if (studies.empty() && patients.empty()) throw UsageError("give --study UID or --patient ID (repeatable)");
    if (!args.has("to")) throw UsageError("--to DIR is required (a new or empty folder)");
    to = args.get("to");
    if (args.has("profile")) {
      auto p = media::parseProfile(args.get("profile"));
      if (!p) throw UsageError("unknown --profile '" + args.get("profile") + "' (known: " + media::profileNames() + ")");
      profile = *p;
    }
    indexFileOf(args);  // the data folder must hold an archive
    config = configOf(args);
    json = args.has("json");
    if (args.has("deidentify")) {
      if (args.get("deidentify") != "basic")
        throw UsageError("unknown --deidentify '" + args.get("deidentify") + "' (basic: PS3.15 E.1, with --option)");
      deidentify = true;
      for (const auto& o : args.all("option")) {
        auto opt = deid::parseOption(o);
        if (!opt) throw UsageError("unknown --option '" + o + "'");
        deidSettings.options.insert(*opt);
      }
      // The archive's burned-in text regions, as the server's own de-identification uses them.
      if (args.has("key-file")) {
        deidSettings.key = deid::readKeyFile(args.get("key-file"));
        deid::useArchiveRegions(deidSettings, config.dataDir);
      } else {
        deid::useArchiveKeyAndRegions(deidSettings, config.dataDir);
      }
    } else if (args.has("option") || args.has("key-file")) {
      throw UsageError("--option and --key-file go with --deidentify basic");
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium export: %s\n", e.what());
    return 2;
  }
  OFLog::configure(OFLogger::ERROR_LOG_LEVEL);
  dicom::initializeDcmtk();
  try {
    DataLayout layout(config.dataDir);
    index::IndexDatabase index(layout.indexFile);
    storage::FileStore store(layout.storage);
    std::vector<std::string> unknown;
    auto items = media::selectForExport(index, store, studies, patients, unknown);
    for (const auto& u : unknown) std::fprintf(stderr, "atrium export: no %s in the archive\n", u.c_str());
    if (items.empty()) return 1;
    std::vector<std::string> refused;
    std::filesystem::path temp;
    struct Cleanup {
      std::filesystem::path& p;
      ~Cleanup() {
        std::error_code ec;
        if (!p.empty()) std::filesystem::remove_all(p, ec);
      }
    } cleanup{temp};
    const auto original = items;
    if (deidentify) {
      temp = fs::uniqueTempPath(DataLayout(config.dataDir).storage / "incoming", "export-deid-");
      std::filesystem::create_directories(temp);
      items = deidentifiedItems(items, deidSettings, temp, refused);
      for (const auto& f : refused) std::fprintf(stderr, "atrium export: not written: %s\n", f.c_str());
      if (items.empty()) return 1;
    }
    auto report = media::writeFileSet(items, to, profile, deidentify ? "ATRIUM_DEID" : "ATRIUM");
    for (const auto& f : report.failures) std::fprintf(stderr, "atrium export: not written: %s\n", f.c_str());
    report.failures.insert(report.failures.end(), refused.begin(), refused.end());
    auto trail = auditTrailOf(config);
    audit::ScopedInstall auditing(trail);
    media::auditExport(original, localUser(), "",
                       (deidentify ? "de-identified media " : "media ") + std::filesystem::absolute(to).string());
    if (json) {
      nlohmann::json out{{"folder", to.string()},    {"profile", media::profileName(profile)},
                         {"written", report.written}, {"transcoded", report.transcoded},
                         {"patients", report.patients}, {"studies", report.studies},
                         {"series", report.series},   {"failures", report.failures}};
      std::printf("%s\n", out.dump(1).c_str());
    }
    std::fprintf(stderr, "atrium export: %zu instances (%zu converted to Explicit VR Little Endian) of %zu studies to %s, %s\n",
                 report.written, report.transcoded, report.studies, to.c_str(), media::profileName(profile));
    return report.failures.empty() && unknown.empty() ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium export: %s\n", e.what());
    return 1;
  }
}

int runImport(int argc, char** argv) {
  Config config;
  std::vector<std::string> paths;
  bool json = false;
  try {
    Args args(argc, argv, 2, commandSpec("import"));
    paths = args.positionals();
    if (paths.empty()) throw UsageError("give one or more PATHs (DICOMDIR, folder, ZIP or file)");
    indexFileOf(args);
    config = configOf(args);
    json = args.has("json");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium import: %s\n", e.what());
    return 2;
  }
  OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
  dicom::initializeDcmtk();
  try {
    auto lock = lockStoppedArchive(config, "import",
                                   "import through it (the viewer's Import, POST /api/import, or atrium send)");
    if (!lock) return 2;
    auto trail = auditTrailOf(config);
    audit::ScopedInstall auditing(trail);
    Archive archive(config);
    media::Importer importer(archive.ingestor(), "IMPORT");
    media::ImportReport report;
    std::string what;
    for (const auto& p : paths) {
      importer.importPath(p, report);
      what += (what.empty() ? "" : ", ") + std::filesystem::absolute(p).string();
    }
    media::auditImport(report, localUser(), "", what);
    for (const auto& f : report.failures) std::fprintf(stderr, "atrium import: not imported: %s\n", f.c_str());
    if (json) {
      nlohmann::json studies = nlohmann::json::array();
      for (const auto& [uid, s] : report.studies)
        studies.push_back({{"study_instance_uid", uid}, {"patient_id", s.patientId}, {"instances", s.instances}});
      nlohmann::json out{{"stored", report.stored},   {"duplicates", report.duplicates},
                         {"skipped", report.skipped}, {"headerless", report.headerless},
                         {"failed", report.failures.size()},
                         {"failures", report.failures}, {"studies", studies}};
      std::printf("%s\n", out.dump(1).c_str());
    }
    std::fprintf(stderr, "atrium import: %zu stored, %zu already there, %zu not DICOM, %zu failed (%zu studies)\n",
                 report.stored, report.duplicates, report.skipped, report.failures.size(), report.studies.size());
    return report.failures.empty() ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium import: %s\n", e.what());
    return 1;
  }
}

}  // namespace atrium::cli
