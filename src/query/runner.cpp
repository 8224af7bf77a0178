#include "query/runner.h"

#include "query/sql_builder.h"

namespace atrium::query {

void runQuery(const index::IndexDatabase& index, const Query& q, const std::function<bool(Match&&)>& onMatch) {
  SqlQuery sql = buildSql(q);
  index.select(sql.sql, sql.binds, [&](const index::Statement& row) {
    Match m;
    int col = 0;
    for (const auto& k : q.keys) m.values.emplace_back(k.tag, row.text(col++));
    m.studyUid = row.text(col++);
    m.seriesUid = row.text(col++);
    m.sopUid = row.text(col++);
    m.sopClassUid = row.text(col++);
    m.path = row.text(col++);
    m.transferSyntax = row.text(col++);
    m.worklistItem = row.text(col++);
    m.stepIndex = static_cast<int>(row.integer(col++));
    return onMatch(std::move(m));
  });
}

}  // namespace atrium::query
