#include "web/instance_lookup.h"

#include "query/runner.h"

namespace atrium::web {

std::vector<StoredInstance> findInstances(WebContext& ctx, const std::string& studyUid, const std::string& seriesUid,
                                          const std::string& sopUid) {
  query::Query q;
  q.root = query::Root::Study;
  q.level = query::Level::Image;
  if (!studyUid.empty()) q.keys.push_back({query::tag(0x0020, 0x000D), 0, "UI", studyUid});
  if (!seriesUid.empty()) q.keys.push_back({query::tag(0x0020, 0x000E), 0, "UI", seriesUid});
  if (!sopUid.empty()) q.keys.push_back({query::tag(0x0008, 0x0018), 0, "UI", sopUid});
  std::vector<StoredInstance> out;
  query::runQuery(ctx.archive.index(), q, [&](query::Match&& m) {
    out.push_back(
        {ctx.archive.store().absolutePath(m.path), m.studyUid, m.seriesUid, m.sopUid, m.sopClassUid, m.transferSyntax});
    return true;
  });
  return out;
}

}  // namespace atrium::web
