#pragma once
// The stored instances a DICOMweb/WADO-URI path names (study, series or one instance).
#include <filesystem>
#include <string>
#include <vector>

#include "web/web_context.h"

namespace atrium::web {

struct StoredInstance {
  std::filesystem::path file;
  std::string studyUid, seriesUid, sopUid, sopClassUid, transferSyntax;
};

// In series/instance order. Empty when nothing matches.
std::vector<StoredInstance> findInstances(WebContext& ctx, const std::string& studyUid, const std::string& seriesUid,
                                          const std::string& sopUid);

}  // namespace atrium::web
