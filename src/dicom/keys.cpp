#include "dicom/keys.h"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcelem.h>
#include <dcmtk/dcmdata/dcjson.h>
#include <dcmtk/dcmdata/dcpath.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dctag.h>

#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "dicom/text.h"

namespace atrium::dicom {
namespace {

DcmTagKey parseTag(const std::string& name) {
  unsigned g = 0, e = 0;
  char tail = 0;
  if (std::sscanf(name.c_str(), "(%4x,%4x)%c", &g, &e, &tail) == 2 ||
      std::sscanf(name.c_str(), "%4x,%4x%c", &g, &e, &tail) == 2)
    return DcmTagKey(static_cast<Uint16>(g), static_cast<Uint16>(e));
  DcmTag tag;
  if (DcmTag::findTagFromName(name.c_str(), tag).good()) return tag;
  throw std::invalid_argument("unknown attribute '" + name + "'");
}

bool nonAscii(const std::string& s) {
  for (unsigned char c : s)
    if (c >= 0x80) return true;
  return false;
}

}  // namespace

std::unique_ptr<DcmDataset> buildIdentifier(const std::string& level, const std::vector<std::string>& specs) {
  auto ds = std::make_unique<DcmDataset>();
  ds->putAndInsertString(DCM_QueryRetrieveLevel, level.c_str());
  bool utf8 = false;
  for (const auto& spec : specs) {
    auto eq = spec.find('=');
    std::string name = spec.substr(0, eq), value = eq == std::string::npos ? "" : spec.substr(eq + 1);
    DcmTag tag(parseTag(name));
    if (tag == DCM_QueryRetrieveLevel) continue;
    OFCondition c = value.empty() ? ds->insertEmptyElement(tag) : ds->putAndInsertString(tag, value.c_str());
    if (c.bad()) throw std::invalid_argument("cannot use key '" + spec + "': " + c.text());
    utf8 = utf8 || nonAscii(value);
  }
  if (utf8) ds->putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 192");
  return ds;
}

namespace {
bool isStepAttribute(const DcmTagKey& t) {
  return t == DCM_Modality || t == DCM_ScheduledStationAETitle || t == DCM_ScheduledStationName ||
         t == DCM_ScheduledProcedureStepStartDate || t == DCM_ScheduledProcedureStepStartTime ||
         t == DCM_ScheduledProcedureStepEndDate || t == DCM_ScheduledProcedureStepEndTime ||
         t == DCM_ScheduledPerformingPhysicianName || t == DCM_ScheduledProcedureStepLocation ||
         t == DCM_ScheduledProcedureStepID || t == DCM_ScheduledProcedureStepDescription ||
         t == DCM_ScheduledProcedureStepStatus || t == DCM_ScheduledProtocolCodeSequence;
}

std::string formatItem(DcmItem& item, TextDecoder& text) {
  std::string out;
  for (unsigned long i = 0; i < item.card(); ++i) {
    DcmElement* e = item.getElement(i);
    if (e->getTag() == DCM_SpecificCharacterSet) continue;
    DcmTag t(e->getTag());
    std::string value;
    if (e->getVR() == EVR_SQ) {
      auto* seq = static_cast<DcmSequenceOfItems*>(e);
      for (unsigned long j = 0; j < seq->card(); ++j) value += "[" + formatItem(*seq->getItem(j), text) + "]";
    } else {
      OFString v;
      e->getOFStringArray(v);
      value = trim(text.decode(v.c_str(), e->getVR() == EVR_PN));
    }
    out += (out.empty() ? "" : "  ") + std::string(t.getTagName()) + "=" + value;
  }
  return out;
}
}  // namespace

std::unique_ptr<DcmDataset> buildWorklistIdentifier(const std::vector<std::string>& specs) {
  auto ds = std::make_unique<DcmDataset>();
  bool utf8 = false;
  DcmItem* step = nullptr;
  for (const auto& spec : specs) {
    auto eq = spec.find('=');
    std::string name = spec.substr(0, eq), value = eq == std::string::npos ? "" : spec.substr(eq + 1);
    utf8 = utf8 || nonAscii(value);
    if (name.find_first_of(".[") != std::string::npos) {
      DcmPathProcessor path;
      OFCondition c = path.findOrCreatePath(ds.get(), name.c_str(), OFTrue);
      if (c.good() && !value.empty()) {
        OFList<DcmPath*> found;
        path.getResults(found);
        for (DcmPath* p : found) {
          DcmPathNode* last = p->back();
          if (last && last->m_obj && last->m_obj->isLeaf())
            c = static_cast<DcmElement*>(last->m_obj)->putString(value.c_str());
        }
      }
      if (c.bad()) throw std::invalid_argument("cannot use key '" + spec + "': " + c.text());
      continue;
    }
    DcmTag tag(parseTag(name));
    DcmItem* target = ds.get();
    if (isStepAttribute(tag)) {
      if (!step) ds->findOrCreateSequenceItem(DCM_ScheduledProcedureStepSequence, step, 0);
      target = step;
    }
    OFCondition c = tag.getEVR() == EVR_SQ || value.empty() ? target->insertEmptyElement(tag, OFTrue)
                                                            : target->putAndInsertString(tag, value.c_str());
    if (c.bad()) throw std::invalid_argument("cannot use key '" + spec + "': " + c.text());
  }
  if (utf8) ds->putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 192");
  return ds;
}

std::string formatIdentifier(DcmDataset& ds) {
  TextDecoder text(ds);
  return formatItem(ds, text);
}

std::string toDicomJson(DcmDataset& ds) {
  // DCMTK converts what its character set backend can; JSON wants UTF-8.
  DcmDataset copy(ds);
  if (copy.convertToUTF8().bad()) {
    // Japanese ISO 2022 and the like: decode the text values ourselves.
    TextDecoder text(ds);
    for (unsigned long i = 0; i < copy.card(); ++i) {
      DcmElement* e = copy.getElement(i);
      if (e->getVR() == EVR_SQ || !e->isaString()) continue;
      OFString v;
      e->getOFStringArray(v);
      e->putString(text.decode(v.c_str(), e->getVR() == EVR_PN).c_str());
    }
    copy.putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 192");
  }
  std::ostringstream out;
  DcmJsonFormatCompact fmt;
  out << "{";
  copy.writeJson(out, fmt);  // the members only
  out << "}";
  return out.str();
}

}  // namespace atrium::dicom
