#pragma once
// The one query model: C-FIND (patient and study root), Modality Worklist and QIDO-RS are
// all translated to a Query, matched against the index by the same SQL builder.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace atrium::query {

using Tag = std::uint32_t;  // (group << 16) | element
constexpr Tag tag(std::uint16_t group, std::uint16_t element) { return (Tag(group) << 16) | element; }

// Worklist: scheduled procedure steps (one row per step of a worklist item), not the image hierarchy.
enum class Level { Patient, Study, Series, Image, Worklist };
enum class Root { Patient, Study };

const char* levelName(Level l);  // "PATIENT", "STUDY", "SERIES", "IMAGE", "WORKLIST"
bool parseLevel(const std::string& s, Level& out);

struct QueryKey {
  Tag tag = 0;
  Tag sequence = 0;   // the enclosing sequence of a key inside a sequence item (worklist steps)
  std::string vr;     // from the data dictionary
  std::string value;  // UTF-8; empty = universal match (a return key)
};

struct Query {
  Root root = Root::Study;
  Level level = Level::Study;
  std::vector<QueryKey> keys;  // as they came, without QueryRetrieveLevel and Specific Character Set
  bool personNameCaseInsensitive = true;
  std::size_t limit = 0;  // 0 = no limit
  std::size_t offset = 0;

  const QueryKey* find(Tag t, Tag sequence = 0) const;
};

// Why a query cannot be run; maps onto the DICOM failure statuses.
struct QueryError : std::runtime_error {
  enum class Kind { IdentifierDoesNotMatch, UnableToProcess };
  QueryError(Kind k, const std::string& what) : std::runtime_error(what), kind(k) {}
  Kind kind;
};

// One matching entity: values for the requested keys (UTF-8, DICOM multi-values '\'-separated),
// plus the UIDs that place it in the hierarchy.
struct Match {
  std::vector<std::pair<Tag, std::string>> values;
  std::string studyUid, seriesUid, sopUid, sopClassUid, path, transferSyntax;
  // Worklist level: the item (DICOM JSON) and which of its scheduled steps matched.
  std::string worklistItem;
  int stepIndex = 0;
};

}  // namespace atrium::query
