// atrium backup | restore | verify: keeping a data folder's contents safe.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "archive/archive.h"
#include "archive/backup.h"
#include "archive/integrity.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/data_folder.h"
#include "config/config.h"
#include "index/index_db.h"

namespace atrium::cli {
namespace {

void printResult(const char* what, const BackupResult& r) {
  std::fprintf(stderr, "%s: %lld instances, %.1f MB (%lld linked, %lld copied)\n", what,
               static_cast<long long>(r.instances), static_cast<double>(r.bytes) / 1e6,
               static_cast<long long>(r.linked), static_cast<long long>(r.copied));
  for (const auto& uid : r.vanished)
    std::fprintf(stderr, "%s: instance %s was deleted while the backup ran; its file is not in the backup\n", what,
                 uid.c_str());
}

// backup and restore share everything but the direction.
int runCopy(int argc, char** argv, bool backup) {
  const char* name = backup ? "backup" : "restore";
  std::filesystem::path from, to;
  bool copy = false;
  try {
    Args args(argc, argv, 2, commandSpec(name));
    if (!args.positionals().empty()) throw UsageError("unexpected argument '" + args.positionals()[0] + "'");
    if (backup) {
      if (!args.has("to")) throw UsageError("--to BACKUP is required (usage: " + shortUsage(commandSpec(name)) + ")");
      from = dataFolderOf(args);
      to = args.get("to");
    } else {
      if (!args.has("from") || !args.has("data"))
        throw UsageError("--from BACKUP and --data DIR are required (usage: " + shortUsage(commandSpec(name)) + ")");
      from = args.get("from");
      to = args.get("data");
    }
    copy = args.has("copy");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium %s: %s\n", name, e.what());
    return 2;
  }
  try {
    auto r = backup ? backupDataFolder(from, to, copy) : restoreDataFolder(from, to, copy);
    printResult(backup ? "atrium backup" : "atrium restore", r);
    return 0;
  } catch (const BackupError& e) {
    std::fprintf(stderr, "atrium %s: %s\n", name, e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium %s: %s\n", name, e.what());
    return 1;
  }
}

}  // namespace

int runBackup(int argc, char** argv) { return runCopy(argc, argv, true); }
int runRestore(int argc, char** argv) { return runCopy(argc, argv, false); }

int runVerify(int argc, char** argv) {
  std::filesystem::path indexFile, dataDir;
  bool json = false;
  try {
    Args args(argc, argv, 2, commandSpec("verify"));
    if (!args.positionals().empty()) throw UsageError("unexpected argument '" + args.positionals()[0] + "'");
    indexFile = indexFileOf(args);
    dataDir = dataFolderOf(args);
    json = args.has("json");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium verify: %s\n", e.what());
    return 2;
  }
  try {
    index::IndexDatabase index(indexFile);
    auto report = verifyStorage(index, DataLayout(dataDir).storage, [&](const IntegrityProblem& p) {
      if (!json) std::printf("%s\n", describe(p).c_str());
    });
    if (json) {
      nlohmann::json out{{"checked", report.checked}, {"bytes", report.bytes}, {"problems", nlohmann::json::array()}};
      for (const auto& p : report.problems)
        out["problems"].push_back({{"kind", kindName(p.kind)},
                                   {"path", p.path},
                                   {"sop_instance_uid", p.sopInstanceUid},
                                   {"detail", p.detail}});
      std::printf("%s\n", out.dump(1).c_str());
    }
    std::fprintf(stderr, "atrium verify: %lld files (%.1f MB) checked, %zu problems\n",
                 static_cast<long long>(report.checked), static_cast<double>(report.bytes) / 1e6,
                 report.problems.size());
    return report.ok() ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium verify: %s\n", e.what());
    return 2;
  }
}

}  // namespace atrium::cli
