#include "dicom/text.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcelem.h>
#include <dcmtk/dcmdata/dcitem.h>

#include <algorithm>

#include "common/log.h"
#include "dicom/charset_japanese.h"

namespace atrium::dicom {

std::string getRaw(DcmItem& item, const DcmTagKey& key) {
  const char* v = nullptr;
  if (item.findAndGetString(key, v).good() && v) return v;
  return {};
}

std::string stringValue(DcmItem& item, const DcmTagKey& key) {
  OFString v;
  item.findAndGetOFStringArray(key, v);
  return v.c_str();
}

bool isAscii(const std::string& s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}

TextDecoder::TextDecoder(DcmItem& dataset) {
  OFString charset;
  dataset.findAndGetOFStringArray(DCM_SpecificCharacterSet, charset);
  charset_ = charset.c_str();
  if (charset_.empty() || charset_ == "ISO_IR 192") return;  // ASCII or already UTF-8
  // As many values as the element has (a bounded few): an element sent with another VR (LT, UT)
  // answers every index with its whole value, and a loop until "no such value" never ended
  // (found by fuzz/fuzz_store_dataset; regressions/store_dataset/charset-as-lt).
  DcmElement* element = nullptr;
  unsigned long count = 0;
  if (dataset.findAndGetElement(DCM_SpecificCharacterSet, element).good() && element)
    count = std::min<unsigned long>(element->getVM(), 16);
  for (unsigned long i = 0; i < count && element->getOFString(charset, i).good(); ++i)
    values_.push_back(trim(charset.c_str()));
  if (isJapaneseIso2022(values_)) {
    mode_ = Mode::Japanese;  // DCMTK's glibc backend refuses these; see charset_japanese.h
    return;
  }
  OFCondition c = converter_.selectCharacterSet(charset_.c_str(), "ISO_IR 192");
  if (c.good()) {
    mode_ = Mode::Dcmtk;
  } else {
    log::warn("cannot decode Specific Character Set '", charset_, "': ", c.text(), "; keeping raw bytes");
  }
}

std::string TextDecoder::decode(const std::string& raw, bool personName) {
  if (raw.empty()) return raw;
  if (mode_ == Mode::Japanese) return decodeJapaneseIso2022(raw, values_, personName);
  if (mode_ != Mode::Dcmtk) return raw;
  OFString out;
  if (converter_.convertString(raw.c_str(), raw.size(), out, personName ? "\\^=" : "\\").good())
    return std::string(out.c_str(), out.length());
  return raw;
}

std::string trimPersonName(std::string pn) {
  while (!pn.empty() && (pn.back() == '^' || pn.back() == '=' || pn.back() == ' ')) pn.pop_back();
  return pn;
}

}  // namespace atrium::dicom
