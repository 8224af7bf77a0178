#include "index/level_columns.h"

namespace atrium::index {

std::string LevelColumns::takeAll() const {
  std::string s;
  for (const auto* a : attributes) s += std::string(s.empty() ? "" : ",") + a->column + "=excluded." + a->column;
  return s;
}

LevelColumns columnsOf(dicom::RecordLevel level) {
  LevelColumns c;
  for (const auto& a : dicom::indexedAttributes()) {
    if (a.level != level) continue;
    c.names += std::string(c.names.empty() ? "" : ",") + a.column;
    c.marks += c.marks.empty() ? "?" : ",?";
    c.attributes.push_back(&a);
  }
  return c;
}

int bindLevel(Statement& st, int first, const LevelColumns& level, const dicom::InstanceRecord& r) {
  for (const auto* a : level.attributes) st.bind(first++, a->value(r));
  return first;
}

}  // namespace atrium::index
