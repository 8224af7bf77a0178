#pragma once
// A level's columns in the table of indexed attributes (dicom/indexed_attributes.h): the names
// "a,b,c", the marks "?,?,?" and the attributes in that order; shared by the inserts of ingest and
// the updates of a modification.
#include <string>
#include <vector>

#include "dicom/indexed_attributes.h"
#include "index/sqlite_util.h"

namespace atrium::index {

struct LevelColumns {
  std::string names, marks;
  std::vector<const dicom::IndexedAttribute*> attributes;
  // "a=excluded.a,b=excluded.b": an upsert that takes every value of the new row.
  std::string takeAll() const;
};
LevelColumns columnsOf(dicom::RecordLevel level);

// Binds a level's attribute values from parameter `first` on; returns the next parameter.
int bindLevel(Statement& st, int first, const LevelColumns& level, const dicom::InstanceRecord& r);

}  // namespace atrium::index
