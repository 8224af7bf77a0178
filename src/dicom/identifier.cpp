#include "dicom/identifier.h"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcelem.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcvrpn.h>

#include "dicom/text.h"

namespace atrium::dicom {
namespace {
constexpr query::Tag kLevel = query::tag(0x0008, 0x0052);
constexpr query::Tag kCharset = query::tag(0x0008, 0x0005);
constexpr query::Tag kRetrieveAet = query::tag(0x0008, 0x0054);
constexpr query::Tag kAvailability = query::tag(0x0008, 0x0056);
}  // namespace

query::Query identifierToQuery(DcmDataset& id, query::Root root, bool personNameCaseInsensitive) {
  query::Query q;
  q.root = root;
  q.personNameCaseInsensitive = personNameCaseInsensitive;
  std::string level = trim(getRaw(id, DCM_QueryRetrieveLevel));
  if (level.empty())
    throw query::QueryError(query::QueryError::Kind::IdentifierDoesNotMatch, "no Query/Retrieve Level (0008,0052)");
  if (!query::parseLevel(level, q.level))
    throw query::QueryError(query::QueryError::Kind::IdentifierDoesNotMatch,
                            "unknown Query/Retrieve Level '" + level + "'");
  TextDecoder text(id);
  for (unsigned long i = 0; i < id.card(); ++i) {
    DcmElement* e = id.getElement(i);
    query::Tag t = query::tag(e->getGTag(), e->getETag());
    if (t == kLevel || t == kCharset || e->getGTag() == 0x0002) continue;
    query::QueryKey k;
    k.tag = t;
    k.vr = DcmVR(e->getVR()).getVRName();
    if (e->getVR() != EVR_SQ) {
      char* raw = nullptr;
      if (e->getString(raw).good() && raw) {
        std::string v(raw, e->getLength());
        k.value = (k.vr == "PN") ? trimPersonName(trim(text.decode(v, true))) : trim(text.decode(v, false));
      }
    }
    q.keys.push_back(std::move(k));
  }
  return q;
}

void matchToIdentifier(const query::Match& m, const query::Query& q, const std::string& retrieveAet, DcmDataset& out) {
  out.putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 192");
  out.putAndInsertString(DCM_QueryRetrieveLevel, query::levelName(q.level));
  for (std::size_t i = 0; i < q.keys.size(); ++i) {
    const auto& k = q.keys[i];
    DcmTag t(static_cast<Uint16>(k.tag >> 16), static_cast<Uint16>(k.tag & 0xFFFF));
    if (k.vr == "SQ") {
      out.insertEmptyElement(t);  // sequence keys: not held by the index, returned empty
      continue;
    }
    std::string value = i < m.values.size() ? m.values[i].second : std::string();
    if (k.tag == kRetrieveAet) value = retrieveAet;
    if (k.tag == kAvailability) value = "ONLINE";
    if (value.empty() || out.putAndInsertString(t, value.c_str()).bad()) out.insertEmptyElement(t);
  }
}

}  // namespace atrium::dicom
