#include "query/query.h"

namespace atrium::query {

const char* levelName(Level l) {
  switch (l) {
    case Level::Patient:
      return "PATIENT";
    case Level::Study:
      return "STUDY";
    case Level::Series:
      return "SERIES";
    case Level::Image:
      return "IMAGE";
    case Level::Worklist:
      return "WORKLIST";
  }
  return "?";
}

bool parseLevel(const std::string& s, Level& out) {
  if (s == "PATIENT")
    out = Level::Patient;
  else if (s == "STUDY")
    out = Level::Study;
  else if (s == "SERIES")
    out = Level::Series;
  else if (s == "IMAGE")
    out = Level::Image;
  else
    return false;
  return true;
}

const QueryKey* Query::find(Tag t, Tag sequence) const {
  for (const auto& k : keys)
    if (k.tag == t && k.sequence == sequence) return &k;
  return nullptr;
}

}  // namespace atrium::query
