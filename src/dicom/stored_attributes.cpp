#include "dicom/stored_attributes.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcelem.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "dicom/text.h"

namespace atrium::dicom {
namespace {

constexpr Uint32 kMaxValueLength = 1024;

bool isText(DcmEVR vr) {
  return vr == EVR_PN || vr == EVR_LO || vr == EVR_SH || vr == EVR_LT || vr == EVR_ST || vr == EVR_UT || vr == EVR_UC;
}
bool singleValued(DcmEVR vr) { return vr == EVR_LT || vr == EVR_ST || vr == EVR_UT || vr == EVR_UR; }
bool binary(DcmEVR vr) {
  return vr == EVR_OB || vr == EVR_OW || vr == EVR_OF || vr == EVR_OD || vr == EVR_OL || vr == EVR_OV || vr == EVR_UN ||
         vr == EVR_SQ || vr == EVR_pixelSQ || vr == EVR_na || vr == EVR_UNKNOWN || vr == EVR_UNKNOWN2B;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out(1);
  for (char c : s) {
    if (c == sep)
      out.emplace_back();
    else
      out.back() += c;
  }
  return out;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}

}  // namespace

std::string storedAttributesJson(DcmDataset& ds, TextDecoder& text) {
  nlohmann::json out = nlohmann::json::object();
  for (unsigned long i = 0; i < ds.card(); ++i) {
    DcmElement* e = ds.getElement(i);
    const DcmTag& tag = e->getTag();
    const DcmEVR vr = e->ident();
    if (tag.isPrivate() || tag.getGroup() == 0x0002 || tag.getGroup() == 0x7FE0 || tag.getElement() == 0) continue;
    if (binary(vr) || e->getLength() > kMaxValueLength || e->getLength() == 0) continue;
    std::string value;
    if (e->isaString()) {
      char* raw = nullptr;
      if (e->getString(raw).bad() || !raw) continue;
      value = std::string(raw, e->getLength());
      if (isText(vr)) value = text.decode(value, vr == EVR_PN);
    } else {
      OFString s;
      if (e->getOFStringArray(s).bad()) continue;
      value = s.c_str();
    }
    nlohmann::json values = nlohmann::json::array();
    for (const auto& v : singleValued(vr) ? std::vector<std::string>{value} : split(value, '\\')) {
      const std::string t = singleValued(vr) ? v : trimmed(v);
      if (vr == EVR_PN) {
        auto groups = split(t, '=');
        nlohmann::json pn = nlohmann::json::object();
        const char* names[] = {"Alphabetic", "Ideographic", "Phonetic"};
        for (std::size_t g = 0; g < groups.size() && g < 3; ++g)
          if (!groups[g].empty()) pn[names[g]] = groups[g];
        values.push_back(pn);
      } else {
        values.push_back(t);
      }
    }
    char key[9];
    std::snprintf(key, sizeof key, "%04X%04X", tag.getGroup(), tag.getElement());
    out[key] = {{"vr", DcmVR(vr).getVRName()}, {"Value", values}};
  }
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string valueFromStoredJson(const std::string& valueArray) {
  if (valueArray.empty()) return "";
  auto j = nlohmann::json::parse(valueArray, nullptr, false);
  if (!j.is_array()) return "";
  std::string out;
  for (std::size_t i = 0; i < j.size(); ++i) {
    if (i) out += '\\';
    const auto& v = j[i];
    if (v.is_string()) {
      out += v.get<std::string>();
    } else if (v.is_object()) {
      std::string pn;
      int last = -1;
      const char* names[] = {"Alphabetic", "Ideographic", "Phonetic"};
      for (int g = 0; g < 3; ++g)
        if (v.contains(names[g])) last = g;
      for (int g = 0; g <= last; ++g) {
        if (g) pn += '=';
        if (v.contains(names[g]) && v[names[g]].is_string()) pn += v[names[g]].get<std::string>();
      }
      out += pn;
    } else if (v.is_number()) {
      out += v.dump();
    }
  }
  return out;
}

}  // namespace atrium::dicom
