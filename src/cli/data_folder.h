#pragma once
// The data folder a command works on: --data DIR, else data_dir of --config FILE, else "data".
#include <filesystem>

#include "cli/args.h"

namespace atrium::cli {

std::filesystem::path dataFolderOf(const Args& args);
// <data>/index.db; throws ConfigError when the folder holds no index (a typo must not create one).
std::filesystem::path indexFileOf(const Args& args);

}  // namespace atrium::cli
