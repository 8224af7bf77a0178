#include "query/runner.h"

#include "dicom/stored_attributes.h"
#include "query/sql_builder.h"

namespace atrium::query {

void runQuery(const index::IndexDatabase& index, const Query& q, const std::function<bool(Match&&)>& onMatch) {
  SqlQuery sql = buildSql(q);
  index.select(sql.sql, sql.binds, [&](const index::Statement& row) {
    Match m;
    int col = 0;
    for (std::size_t i = 0; i < q.keys.size(); ++i, ++col)
      m.values.emplace_back(q.keys[i].tag, sql.fromStoredAttributes[i] ? dicom::valueFromStoredJson(row.text(col))
                                                                        : row.text(col));
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
