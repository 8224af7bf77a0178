#pragma once
// The data folder a command works on: --data DIR, else data_dir of --config FILE, else "data".
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "audit/audit_trail.h"
#include "cli/args.h"
#include "config/config.h"
#include "storage/data_lock.h"

namespace atrium::cli {

std::filesystem::path dataFolderOf(const Args& args);
// <data>/index.db; throws ConfigError when the folder holds no index (a typo must not create one).
std::filesystem::path indexFileOf(const Args& args);
// The config of --config (or the defaults) with the data folder of dataFolderOf().
Config configOf(const Args& args);

// The MR images an analysis command (analyze, flow, map) reads: PATH..., --study UID (through the
// data folder's index; UsageError when it holds none) or, where the command has it (listFile),
// --inputs-from LIST (one path per line) — exactly one of them, else UsageError.
std::vector<std::filesystem::path> analysisInputs(const Args& args, const std::string& command, bool listFile);
// The data folder's audit trail, as serve writes it (and what a command run on the folder records).
audit::AuditTrail auditTrailOf(const Config& config);
// Who ran a command here, for the audit trail and histories: "cli:" and the login name.
std::string localUser();
// The data folder's lock for a command that changes it with the server stopped; nullptr (after one
// line on stderr saying to go through the running archive: `instead`) when a server holds it.
std::unique_ptr<storage::DataLock> lockStoppedArchive(const Config& config, const char* command, const char* instead);

}  // namespace atrium::cli
