#include "cli/data_folder.h"

#include "archive/archive.h"
#include "config/config.h"

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

}  // namespace atrium::cli
