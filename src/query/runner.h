#pragma once
// Runs a Query against the index, streaming matches (nothing is collected first).
#include <functional>

#include "index/index_db.h"
#include "query/query.h"

namespace atrium::query {

// onMatch returns false to stop (cancel). Throws QueryError, or index::DbError on I/O failure.
void runQuery(const index::IndexDatabase& index, const Query& query, const std::function<bool(Match&&)>& onMatch);

}  // namespace atrium::query
