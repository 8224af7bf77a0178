#pragma once
// The attributes the index keeps of each instance, in one table: how each is read from a data set
// (instance_reader), which column holds it (the index's inserts and the query model's columns),
// and its keyword (routing rules). Adding an attribute is one row here, one column in the schema.
#include <cstdint>
#include <string>
#include <vector>

#include "dicom/instance_record.h"

namespace atrium::dicom {

enum class RecordLevel { Patient, Study, Series, Instance };

enum class ReadAs {
  Text,           // decoded to UTF-8 from the Specific Character Set, trimmed
  PersonName,     // the same, then empty trailing components removed
  Plain,          // ASCII value representations (dates, codes, numbers), trimmed
  Uid,            // padding removed
  UnsignedShort,  // a US value as decimal text
  Special,        // set by the reader itself (character set, transfer syntax)
};

struct IndexedAttribute {
  std::uint16_t group, element;
  const char* keyword;  // as routing rules name it
  const char* vr;
  RecordLevel level;
  const char* column;  // in its level's table: patients, studies, series, instances
  ReadAs readAs;
  std::string& (*field)(InstanceRecord&);

  std::uint32_t tag() const { return (std::uint32_t(group) << 16) | element; }
  const std::string& value(const InstanceRecord& r) const { return field(const_cast<InstanceRecord&>(r)); }
};

const std::vector<IndexedAttribute>& indexedAttributes();
// nullptr when the index does not keep an attribute of that keyword.
const IndexedAttribute* indexedAttribute(const std::string& keyword);

}  // namespace atrium::dicom
