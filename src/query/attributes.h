#pragma once
// Which attributes the index can match and return, at which level, from which SQL expression.
#include "query/query.h"

namespace atrium::query {

enum class Kind {
  Column,    // a column of the level's table
  Computed,  // derived (counts, Modalities in Study...): returned, matched where noted
  ModalitiesInStudy,
};

struct AttributeInfo {
  Tag tag;
  Level level;
  const char* vr;
  const char* sql;  // expression over aliases p, st, se, i
  Kind kind;
};

// nullptr if the index does not hold the attribute at that level (it is then returned empty).
// sequence: the enclosing sequence (worklist keys inside the Scheduled Procedure Step Sequence).
const AttributeInfo* findAttribute(Level level, Tag sequence, Tag t);

constexpr Tag kScheduledProcedureStepSequence = tag(0x0040, 0x0100);

// The unique key of a level (PatientID, StudyInstanceUID, SeriesInstanceUID, SOPInstanceUID).
Tag uniqueKey(Level l);

}  // namespace atrium::query
