#include "query/sql_builder.h"

#include <cstdio>
#include <set>

#include "query/attributes.h"

namespace atrium::query {
namespace {

std::vector<std::string> splitValues(const std::string& v) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    auto pos = v.find('\\', start);
    out.push_back(v.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
    if (pos == std::string::npos) break;
    start = pos + 1;
  }
  return out;
}

bool isDateTimeVr(const std::string& vr) { return vr == "DA" || vr == "TM" || vr == "DT"; }

class Builder {
 public:
  explicit Builder(const Query& q) : q_(q) {}

  std::string bind(const std::string& v) {
    binds.push_back(v);
    return "?";
  }

  // A range "a-b", "a-", "-b" on a date/time column. Upper bounds of TM/DT are padded so that
  // "-1300" includes 13:00:59.9.
  std::string range(const char* col, const std::string& vr, const std::string& value) {
    auto dash = value.find('-');
    std::string lo = value.substr(0, dash), hi = value.substr(dash + 1);
    std::string c = std::string(col) + "<>''";
    if (!lo.empty()) c += " AND " + std::string(col) + ">=" + bind(lo);
    if (!hi.empty()) c += " AND " + std::string(col) + "<=" + bind(vr == "DA" ? hi : hi + "~");
    return "(" + c + ")";
  }

  std::string stringMatch(const AttributeInfo& a, const std::string& value) {
    const bool pn = std::string(a.vr) == "PN";
    const bool ci = pn && q_.personNameCaseInsensitive;
    auto one = [&](const std::string& pattern, bool wildcard) {
      std::string col = a.sql;
      if (ci) return col + " LIKE " + bind(wildcardToLike(pattern)) + " ESCAPE '\\'";
      if (wildcard) return col + " GLOB " + bind(wildcardToGlob(pattern));
      return col + "=" + bind(pattern);
    };
    bool wildcard = hasWildcard(value);
    if (!pn || value.find('=') != std::string::npos) return one(value, wildcard);
    // A name without '=' matches the whole value or any one component group
    // (alphabetic=ideographic=phonetic).
    std::string g = value;
    return "(" + one(g, wildcard) + " OR " + one(g + "=*", true) + " OR " + one("*=" + g, true) + " OR " +
           one("*=" + g + "=*", true) + ")";
  }

  std::string condition(const AttributeInfo& a, const std::string& value) {
    std::string vr = a.vr;
    if (a.kind == Kind::Computed) return {};
    if (a.kind == Kind::ModalitiesInStudy) {
      std::string in;
      for (const auto& v : splitValues(value)) in += (in.empty() ? "" : ",") + bind(v);
      return "EXISTS (SELECT 1 FROM series x WHERE x.study_pk=st.pk AND x.modality IN (" + in + "))";
    }
    if (vr == "UI") {
      std::string in;
      for (const auto& v : splitValues(value)) in += (in.empty() ? "" : ",") + bind(v);
      return std::string(a.sql) + " IN (" + in + ")";
    }
    std::string out;
    for (const auto& v : splitValues(value)) {
      std::string c;
      if (isDateTimeVr(vr) && v.find('-') != std::string::npos)
        c = range(a.sql, vr, v);
      else if (isDateTimeVr(vr) || vr == "IS" || vr == "US" || vr == "DS")
        c = std::string(a.sql) + "=" + bind(v);
      else
        c = stringMatch(a, v);
      out += (out.empty() ? "" : " OR ") + c;
    }
    return "(" + out + ")";
  }

  // StudyDate+StudyTime (or SeriesDate+SeriesTime) both ranges: one date-time range.
  std::string combinedRange(const AttributeInfo& date, const std::string& dv, const AttributeInfo& time,
                            const std::string& tv) {
    auto dd = dv.find('-'), td = tv.find('-');
    std::string d1 = dv.substr(0, dd), d2 = dv.substr(dd + 1), t1 = tv.substr(0, td), t2 = tv.substr(td + 1);
    std::string D = date.sql, T = time.sql;
    std::string c = "(" + D + "<>''";
    if (!d1.empty()) {
      std::string b1 = bind(d1), b2 = bind(d1);
      c += " AND (" + D + ">" + b1 + " OR (" + D + "=" + b2 + (t1.empty() ? "" : " AND " + T + ">=" + bind(t1)) + "))";
    }
    if (!d2.empty()) {
      std::string b1 = bind(d2), b2 = bind(d2);
      c += " AND (" + D + "<" + b1 + " OR (" + D + "=" + b2 + (t2.empty() ? "" : " AND " + T + "<=" + bind(t2 + "~")) +
           "))";
    }
    return c + ")";
  }

  index::Binds binds;

 private:
  const Query& q_;
};

// The stored attributes of the level's first instance: where a return key the index has no column
// for comes from.
const char* storedAttributesOf(Level l) {
  switch (l) {
    case Level::Image:
      return "i.attributes";
    case Level::Series:
      return "(SELECT x.attributes FROM instances x WHERE x.series_pk=se.pk ORDER BY x.pk LIMIT 1)";
    case Level::Study:
      return "(SELECT x.attributes FROM instances x JOIN series y ON x.series_pk=y.pk WHERE y.study_pk=st.pk "
             "ORDER BY x.pk LIMIT 1)";
    case Level::Patient:
      return "(SELECT x.attributes FROM instances x JOIN series y ON x.series_pk=y.pk JOIN studies z ON "
             "y.study_pk=z.pk WHERE z.patient_pk=p.pk ORDER BY x.pk LIMIT 1)";
    case Level::Worklist:
      break;
  }
  return nullptr;
}

const char* fromClause(Level l) {
  switch (l) {
    case Level::Patient:
      return "patients p";
    case Level::Study:
      return "studies st JOIN patients p ON p.pk=st.patient_pk";
    case Level::Series:
      return "series se JOIN studies st ON st.pk=se.study_pk JOIN patients p ON p.pk=st.patient_pk";
    case Level::Image:
      return "instances i JOIN series se ON se.pk=i.series_pk JOIN studies st ON st.pk=se.study_pk "
             "JOIN patients p ON p.pk=st.patient_pk";
    case Level::Worklist:
      return "worklist_steps s JOIN worklist_items w ON w.pk=s.item_pk";
  }
  return "";
}

// The columns after the keys (see SqlQuery): where a match sits in the hierarchy, or for the
// worklist which item and step matched.
std::string trailingColumns(Level level) {
  if (level == Level::Worklist) return "'','','','','','',w.json,s.step_index";
  auto col = [&](Level need, const char* expr) { return level >= need ? std::string(expr) : std::string("''"); };
  return col(Level::Study, "st.study_uid") + "," + col(Level::Series, "se.series_uid") + "," +
         col(Level::Image, "i.sop_uid") + "," + col(Level::Image, "i.sop_class_uid") + "," +
         col(Level::Image, "i.path") + "," + col(Level::Image, "i.transfer_syntax") + ",'',0";
}

}  // namespace

bool hasWildcard(const std::string& v) { return v.find_first_of("*?") != std::string::npos; }

std::string wildcardToLike(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '%' || c == '_' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '*') {
      out += '%';
    } else if (c == '?') {
      out += '_';
    } else {
      out += c;
    }
  }
  return out;
}

std::string wildcardToGlob(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '[')
      out += "[[]";
    else
      out += c;
  }
  return out;
}

SqlQuery buildSql(const Query& q) {
  if (q.root == Root::Study && q.level == Level::Patient)
    throw QueryError(QueryError::Kind::IdentifierDoesNotMatch, "PATIENT level does not exist in the Study Root");
  // In the Study Root, patient attributes belong to the study level.
  auto effectiveLevel = [&](Level l) { return (q.root == Root::Study && l == Level::Patient) ? Level::Study : l; };

  Builder b(q);
  std::string select, where;

  std::set<const QueryKey*> consumed;

  auto combine = [&](Tag sequence, Tag dateTag, Tag timeTag) {
    const QueryKey* d = q.find(dateTag, sequence);
    const QueryKey* t = q.find(timeTag, sequence);
    if (!d || !t || d->value.find('-') == std::string::npos || t->value.find('-') == std::string::npos) return;
    const AttributeInfo* da = findAttribute(q.level, sequence, dateTag);
    const AttributeInfo* ta = findAttribute(q.level, sequence, timeTag);
    if (!da || !ta || effectiveLevel(da->level) > q.level) return;
    where += (where.empty() ? "" : " AND ") + b.combinedRange(*da, d->value, *ta, t->value);
    consumed.insert(d);
    consumed.insert(t);
  };
  if (q.level == Level::Worklist) {
    combine(kScheduledProcedureStepSequence, tag(0x0040, 0x0002), tag(0x0040, 0x0003));
  } else {
    combine(0, tag(0x0008, 0x0020), tag(0x0008, 0x0030));
    combine(0, tag(0x0008, 0x0021), tag(0x0008, 0x0031));
  }

  std::vector<bool> fromStored;
  for (const auto& k : q.keys) {
    const AttributeInfo* a = findAttribute(q.level, k.sequence, k.tag);
    bool available = a && effectiveLevel(a->level) <= q.level;
    std::string column = available ? a->sql : "NULL";
    const char* stored = storedAttributesOf(q.level);
    const bool json = !a && stored && k.sequence == 0 && k.vr != "SQ";
    if (json) {
      char path[32];
      std::snprintf(path, sizeof path, "'$.\"%04X%04X\".Value'", k.tag >> 16, k.tag & 0xFFFF);
      column = std::string("json_extract(") + stored + "," + path + ")";
    }
    fromStored.push_back(json);
    select += std::string(select.empty() ? "" : ",") + column;
    if (k.value.empty() || consumed.count(&k)) continue;
    if (a && effectiveLevel(a->level) > q.level) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "matching key (%04X,%04X) is below the %s level", k.tag >> 16, k.tag & 0xFFFF,
                    levelName(q.level));
      throw QueryError(QueryError::Kind::IdentifierDoesNotMatch, buf);
    }
    if (!a) continue;  // no typed column: matched as universal, returned from the stored attributes
    std::string c = b.condition(*a, k.value);
    if (!c.empty()) where += (where.empty() ? "" : " AND ") + c;
  }
  std::string hierarchy = trailingColumns(q.level);
  SqlQuery out;
  out.keyColumns = q.keys.size();
  out.fromStoredAttributes = std::move(fromStored);
  out.sql = "SELECT " + (select.empty() ? hierarchy : select + "," + hierarchy) + " FROM " + fromClause(q.level);
  if (!where.empty()) out.sql += " WHERE " + where;
  if (q.level == Level::Worklist) out.sql += " ORDER BY s.start_date,s.start_time,s.pk";
  if (q.limit || q.offset)
    out.sql +=
        " LIMIT " + (q.limit ? std::to_string(q.limit) : std::string("-1")) + " OFFSET " + std::to_string(q.offset);
  out.binds = std::move(b.binds);
  return out;
}

}  // namespace atrium::query
