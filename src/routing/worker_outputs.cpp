#include "routing/worker_outputs.h"

#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>

#include "archive/archive.h"

namespace atrium::routing {

StoredOutputs storeWorkerOutputs(Archive& archive, const nlohmann::json& outputs, const std::filesystem::path& outDir,
                                 const std::string& source) {
  StoredOutputs out;
  if (!outputs.is_array()) return out;
  for (const auto& f : outputs) {
    ++out.listed;
    std::filesystem::path p = f.is_string() ? f.get<std::string>() : std::string();
    if (p.parent_path() != outDir) {
      out.failures.push_back(p.string() + ": outside the worker's folder, ignored");
      continue;
    }
    auto r = archive.ingestor().ingestReceived(p, source);
    if (!r.success()) {
      out.failures.push_back(p.string() + ": " + r.message);
      continue;
    }
    ++out.stored;
    if (r.sopClassUid == UID_RTStructureSetStorage) out.rtstructUid = r.sopInstanceUid;
    if (r.sopClassUid == UID_ComprehensiveSRStorage) out.srUid = r.sopInstanceUid;
    if (auto i = archive.index().findInstance(r.sopInstanceUid))
      if (std::find(out.series.begin(), out.series.end(), i->seriesUid) == out.series.end())
        out.series.push_back(i->seriesUid);
  }
  return out;
}

}  // namespace atrium::routing
