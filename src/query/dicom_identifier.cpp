#include "query/dicom_identifier.h"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcelem.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcvrpn.h>

#include "dicom/text.h"
#include "query/attributes.h"
#include "query/sequence_matching.h"

namespace atrium::query {

// The DICOM side of the bridge (decoding, trimming) comes from the dicom layer.
using dicom::getRaw;
using dicom::TextDecoder;
using dicom::trim;
using dicom::trimPersonName;
namespace {
constexpr query::Tag kLevel = query::tag(0x0008, 0x0052);
constexpr query::Tag kCharset = query::tag(0x0008, 0x0005);
constexpr query::Tag kRetrieveAet = query::tag(0x0008, 0x0054);
constexpr query::Tag kAvailability = query::tag(0x0008, 0x0056);

query::QueryKey keyFrom(DcmElement& e, TextDecoder& text, query::Tag sequence) {
  query::QueryKey k;
  k.tag = query::tag(e.getGTag(), e.getETag());
  k.sequence = sequence;
  k.vr = DcmVR(e.getVR()).getVRName();
  if (e.getVR() != EVR_SQ) {
    char* raw = nullptr;
    if (e.getString(raw).good() && raw) {
      std::string v(raw, e.getLength());
      k.value = (k.vr == "PN") ? trimPersonName(trim(text.decode(v, true))) : trim(text.decode(v, false));
    }
  }
  return k;
}

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
    q.keys.push_back(keyFrom(*e, text, 0));
  }
  return q;
}

query::Query worklistIdentifierToQuery(DcmDataset& id, bool personNameCaseInsensitive) {
  query::Query q;
  q.level = query::Level::Worklist;
  q.personNameCaseInsensitive = personNameCaseInsensitive;
  TextDecoder text(id);
  for (unsigned long i = 0; i < id.card(); ++i) {
    DcmElement* e = id.getElement(i);
    query::Tag t = query::tag(e->getGTag(), e->getETag());
    if (t == kCharset || e->getGTag() == 0x0002) continue;
    q.keys.push_back(keyFrom(*e, text, 0));
    if (t != query::kScheduledProcedureStepSequence) continue;
    auto* seq = static_cast<DcmSequenceOfItems*>(e);
    if (seq->card() == 0) continue;
    DcmItem* step = seq->getItem(0);
    for (unsigned long j = 0; j < step->card(); ++j) q.keys.push_back(keyFrom(*step->getElement(j), text, t));
  }
  return q;
}

namespace {

// The requested keys of request, valued from source: a key with no value there is returned
// empty; a sequence key with an empty item asks for the whole sequence.
void project(DcmItem& source, DcmItem& request, DcmItem& out) {
  for (unsigned long i = 0; i < request.card(); ++i) {
    DcmElement* req = request.getElement(i);
    const DcmTag& t = req->getTag();
    if (t == DCM_SpecificCharacterSet || t.getGTag() == 0x0002) continue;
    DcmElement* src = nullptr;
    if (source.findAndGetElement(t, src).bad() || !src) {
      out.insertEmptyElement(t);
      continue;
    }
    if (req->getVR() != EVR_SQ || src->getVR() != EVR_SQ) {
      out.insert(static_cast<DcmElement*>(src->clone()), true);
      continue;
    }
    auto* reqSeq = static_cast<DcmSequenceOfItems*>(req);
    auto* srcSeq = static_cast<DcmSequenceOfItems*>(src);
    DcmItem* reqItem = reqSeq->card() ? reqSeq->getItem(0) : nullptr;
    if (!reqItem || reqItem->card() == 0) {
      out.insert(static_cast<DcmElement*>(src->clone()), true);
      continue;
    }
    auto* outSeq = new DcmSequenceOfItems(t);
    out.insert(outSeq, true);
    for (unsigned long j = 0; j < srcSeq->card(); ++j) {
      auto* item = new DcmItem();
      project(*srcSeq->getItem(j), *reqItem, *item);
      outSeq->append(item);
    }
  }
}

}  // namespace

bool worklistResponse(DcmItem& item, int stepIndex, DcmDataset& request, bool personNameCaseInsensitive,
                      DcmDataset& out) {
  // Keep only the matched step.
  DcmSequenceOfItems* steps = nullptr;
  if (item.findAndGetSequence(DCM_ScheduledProcedureStepSequence, steps).good() && steps) {
    for (long j = static_cast<long>(steps->card()) - 1; j >= 0; --j)
      if (j != stepIndex) delete steps->remove(static_cast<unsigned long>(j));
  }
  if (!sequenceKeysMatch(item, request, personNameCaseInsensitive, kScheduledProcedureStepSequence)) return false;
  out.putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 192");
  project(item, request, out);
  return true;
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

}  // namespace atrium::query
