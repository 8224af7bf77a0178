#include "cli/data_folder.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "archive/archive.h"
#include "index/index_db.h"
#include "routing/analysis_scheduler.h"

namespace atrium::cli {

std::filesystem::path dataFolderOf(const Args& args) {
  if (args.has("data")) return args.get("data");
  if (args.has("config")) return loadConfig(args.get("config")).dataDir;
  return "data";
}

std::filesystem::path indexFileOf(const Args& args) {
  auto dir = dataFolderOf(args);
  DataLayout layout(dir);
  if (!std::filesystem::exists(layout.indexFile))
    throw ConfigError("no Atrium index in '" + dir.string() + "' (start `atrium serve --data " + dir.string() +
                      "` once, or give --data)");
  return layout.indexFile;
}

Config configOf(const Args& args) {
  Config config = args.has("config") ? loadConfig(args.get("config")) : Config{};
  config.dataDir = dataFolderOf(args).string();
  return config;
}

audit::AuditTrail auditTrailOf(const Config& config) {
  // A TLS collector is trusted and shown what the DICOM TLS port uses (tls_ca, tls_cert, tls_key).
  return audit::AuditTrail(std::filesystem::path(config.dataDir) / "audit", config.aet, config.auditSyslog,
                           {config.tls.caCertificates, config.tls.certificate, config.tls.privateKey});
}

std::string localUser() {
  const char* u = std::getenv("USER");
  return std::string("cli:") + (u && *u ? u : "unknown");
}

std::unique_ptr<storage::DataLock> lockStoppedArchive(const Config& config, const char* command, const char* instead) {
  try {
    return std::make_unique<storage::DataLock>(config.dataDir);
  } catch (const std::exception&) {
    std::fprintf(stderr, "atrium %s: the archive in %s is running: %s\n", command, config.dataDir.c_str(), instead);
    return nullptr;
  }
}

std::vector<std::filesystem::path> analysisInputs(const Args& args, const std::string& command, bool listFile) {
  const int sources = !args.positionals().empty() + args.has("study") + (listFile && args.has("inputs-from"));
  if (sources != 1)
    throw UsageError(
        std::string(listFile ? "give PATH..., --study UID or --inputs-from LIST" : "give PATH... or --study UID") +
        ", one of them (atrium " + command + " --help)");
  std::vector<std::filesystem::path> paths;
  for (const auto& p : args.positionals()) paths.emplace_back(p);
  if (args.has("study")) {
    index::IndexDatabase db(indexFileOf(args));
    storage::FileStore store(DataLayout(dataFolderOf(args)).storage);
    paths = routing::studyMrImages(db, store, args.get("study"));
    if (paths.empty()) throw UsageError("no MR image of study " + args.get("study") + " is stored");
  }
  if (listFile && args.has("inputs-from")) {
    std::ifstream in(args.get("inputs-from"));
    if (!in) throw UsageError("cannot read the input list " + args.get("inputs-from"));
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) paths.emplace_back(line);
  }
  return paths;
}

}  // namespace atrium::cli
