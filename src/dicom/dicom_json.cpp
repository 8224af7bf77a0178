#include "dicom/dicom_json.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcelem.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcvrat.h>
#include <dcmtk/ofstd/ofstd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

namespace atrium::dicom {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& where, const std::string& why) { throw DicomJsonError(where + ": " + why); }

// One value as the string DCMTK's putString expects.
std::string valueText(const json& v, DcmEVR vr, const std::string& where) {
  if (v.is_null()) return "";
  if (vr == EVR_PN) {
    if (!v.is_object()) fail(where, "a PN value must be an object with Alphabetic/Ideographic/Phonetic");
    std::string groups[3];
    const char* names[3] = {"Alphabetic", "Ideographic", "Phonetic"};
    for (int i = 0; i < 3; ++i)
      if (v.contains(names[i])) {
        if (!v[names[i]].is_string()) fail(where, std::string(names[i]) + " must be a string");
        groups[i] = v[names[i]].get<std::string>();
      }
    std::string out = groups[0];
    if (!groups[1].empty() || !groups[2].empty()) out += "=" + groups[1];
    if (!groups[2].empty()) out += "=" + groups[2];
    return out;
  }
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  if (v.is_number_unsigned()) return std::to_string(v.get<unsigned long long>());
  if (v.is_number_float()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", v.get<double>());
    return buf;
  }
  fail(where, "unexpected value type " + std::string(v.type_name()));
}

void addElement(const std::string& key, const json& attr, DcmItem& item, const std::string& prefix);

// An empty element of any VR (insertEmptyElement refuses some, UN among them).
OFCondition insertEmpty(DcmItem& item, const DcmTag& tag) {
  DcmElement* element = DcmItem::newDicomElement(tag);
  if (!element) return EC_IllegalCall;
  OFCondition c = item.insert(element, true);
  if (c.bad()) delete element;
  return c;
}

void addSequence(const DcmTag& tag, const json& values, DcmItem& item, const std::string& where) {
  auto* seq = new DcmSequenceOfItems(tag);
  if (item.insert(seq, true).bad()) {
    delete seq;
    fail(where, "cannot insert sequence");
  }
  if (values.is_null()) return;
  std::size_t index = 0;
  for (const auto& child : values) {
    std::string childWhere = where + "[" + std::to_string(index++) + "]";
    if (!child.is_object()) fail(childWhere, "a sequence item must be an object");
    auto* sub = new DcmItem();
    seq->append(sub);
    for (auto it = child.begin(); it != child.end(); ++it) addElement(it.key(), it.value(), *sub, childWhere + " ");
  }
}

void addElement(const std::string& key, const json& attr, DcmItem& item, const std::string& prefix) {
  unsigned g = 0, e = 0;
  if (key.size() != 8 || std::sscanf(key.c_str(), "%4x%4x", &g, &e) != 2)
    fail(prefix + key, "attribute keys are 8 hex digits (ggggeeee)");
  DcmTag tag(static_cast<Uint16>(g), static_cast<Uint16>(e));
  std::string where = prefix + describeTag(g, e);
  if (!attr.is_object() || !attr.contains("vr") || !attr["vr"].is_string()) fail(where, "missing \"vr\"");
  DcmVR vr(attr["vr"].get<std::string>().c_str());
  if (vr.getEVR() == EVR_UNKNOWN || vr.getEVR() == EVR_UNKNOWN2B)
    fail(where, "unknown VR '" + attr["vr"].get<std::string>() + "'");
  tag.setVR(vr);
  if (attr.contains("BulkDataURI")) fail(where, "BulkDataURI is not accepted here; give the value inline");
  const json* values = attr.contains("Value") ? &attr["Value"] : nullptr;
  if (values && !values->is_array()) fail(where, "\"Value\" must be an array");

  if (vr.getEVR() == EVR_SQ) return addSequence(tag, values ? *values : json(), item, where);

  if (attr.contains("InlineBinary")) {
    if (!attr["InlineBinary"].is_string()) fail(where, "InlineBinary must be a base64 string");
    Uint8* bytes = nullptr;
    std::string text = attr["InlineBinary"].get<std::string>();
    size_t n = OFStandard::decodeBase64(text.c_str(), bytes);
    // DCMTK 3.6.7 frees its buffer itself when nothing decodes (and leaves the pointer set): ours to
    // free only when it returned bytes (a double free, found by fuzz/fuzz_dicom_json).
    if (n == 0) bytes = nullptr;
    OFCondition c = n ? item.putAndInsertUint8Array(tag, bytes, static_cast<unsigned long>(n)) : insertEmpty(item, tag);
    delete[] bytes;
    if (c.bad()) fail(where, std::string("cannot store binary value: ") + c.text());
    return;
  }
  std::string joined;
  if (values) {
    bool first = true;
    for (const auto& v : *values) {
      std::string t = valueText(v, vr.getEVR(), where);
      if (vr.getEVR() == EVR_AT && t.size() == 8) t = "(" + t.substr(0, 4) + "," + t.substr(4) + ")";
      joined += (first ? "" : "\\") + t;
      first = false;
    }
  }
  OFCondition c = joined.empty() ? insertEmpty(item, tag) : item.putAndInsertString(tag, joined.c_str());
  if (c.bad()) fail(where, std::string("cannot store value: ") + c.text());
}

}  // namespace

std::string describeTag(unsigned group, unsigned element) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "(%04X,%04X)", group, element);
  DcmTag t(static_cast<Uint16>(group), static_cast<Uint16>(element));
  std::string name = t.getTagName();
  return name == "Unknown Tag & Data" ? std::string(buf) : std::string(buf) + " " + name;
}

void fromDicomJson(const json& object, DcmItem& item) {
  if (!object.is_object()) throw DicomJsonError("a DICOM JSON data set must be a JSON object");
  for (auto it = object.begin(); it != object.end(); ++it) addElement(it.key(), it.value(), item, "");
}

}  // namespace atrium::dicom
