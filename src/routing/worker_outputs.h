#pragma once
// What a worker process (`atrium analyze`, `atrium flow`) wrote, stored in the archive: the files
// its JSON lists under "outputs", through the one ingest path. Only files in its own output folder
// are taken; a path elsewhere is refused, never read.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace atrium {
class Archive;
}

namespace atrium::routing {

struct StoredOutputs {
  int listed = 0, stored = 0;
  std::vector<std::string> series;    // Series Instance UIDs of what was stored, in order
  std::string rtstructUid, srUid;     // the RT Structure Set and the Comprehensive SR among them
  std::vector<std::string> failures;  // "PATH: why", one per output not stored
  bool complete() const { return failures.empty() && stored == listed; }
};

StoredOutputs storeWorkerOutputs(Archive& archive, const nlohmann::json& outputs, const std::filesystem::path& outDir,
                                 const std::string& source);

}  // namespace atrium::routing
