#pragma once
// Query → SQL over the index. Matching per PS3.4 C.2.2.2: single value, list of UIDs, wildcards
// (* ?), ranges on DA/TM/DT (combined date-time when both are ranges), universal.
#include <string>
#include <vector>

#include "index/sqlite_util.h"
#include "query/query.h"

namespace atrium::query {

struct SqlQuery {
  std::string sql;
  index::Binds binds;
  // Result columns: one per requested key (in Query::keys order), then the hierarchy columns
  // study_uid, series_uid, sop_uid, sop_class_uid, path, transfer_syntax ('' above their level),
  // worklist item JSON and step index (worklist level only).
  std::size_t keyColumns = 0;
  // Per requested key: true when its column is the "Value" array of the level's stored attributes
  // (DICOM JSON, dicom/stored_attributes.h) rather than a value.
  std::vector<bool> fromStoredAttributes;
};

// Throws QueryError for a level that does not exist in the root or a matching key below the level.
SqlQuery buildSql(const Query& query);

// Pieces, exposed for tests.
std::string wildcardToLike(const std::string& value);  // '*' → '%', '?' → '_', escaping with '\'
std::string wildcardToGlob(const std::string& value);  // '[' made literal
bool hasWildcard(const std::string& value);

}  // namespace atrium::query
