#include "query/sequence_matching.h"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcelem.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include <algorithm>
#include <cctype>
#include <string_view>
#include <vector>

#include "dicom/text.h"

namespace atrium::query {
namespace {

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    auto p = s.find('\\', start);
    out.push_back(dicom::trim(s.substr(start, p == std::string::npos ? std::string::npos : p - start)));
    if (p == std::string::npos) return out;
    start = p + 1;
  }
}

// Length of the UTF-8 sequence that starts with byte c (1 for anything malformed).
std::size_t utf8Length(unsigned char c) {
  if (c >= 0xF0) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC0) return 2;
  return 1;
}

// '*' any run, '?' one character (not one byte), iteratively with one backtrack point.
bool glob(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0, starP = std::string_view::npos, starT = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      starP = p++;
      starT = t;
    } else if (p < pattern.size() && pattern[p] == '?') {
      ++p;
      t += std::min(utf8Length(static_cast<unsigned char>(text[t])), text.size() - t);
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (starP != std::string_view::npos) {
      p = starP + 1;
      starT += utf8Length(static_cast<unsigned char>(text[starT]));
      t = std::min(starT, text.size());
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::string lowerAscii(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string digits(const std::string& s) {  // ACR-NEMA style "10:30" times compare as "1030"
  std::string out;
  for (char c : s)
    if (c != ':') out += c;
  return out;
}

// value within [lo, hi]; an open end is empty. Shorter bounds compare on their own precision.
bool inRange(const std::string& value, const std::string& lo, const std::string& hi) {
  const std::string v = digits(value);
  if (!lo.empty() && v.substr(0, digits(lo).size()) < digits(lo)) return false;
  if (!hi.empty() && v.substr(0, digits(hi).size()) > digits(hi)) return false;
  return true;
}

bool isRangeVr(std::string_view vr) { return vr == "DA" || vr == "TM" || vr == "DT"; }

bool hasKeyValue(DcmElement& e) {
  if (e.getVR() != EVR_SQ) return e.getLength() > 0;
  auto& seq = static_cast<DcmSequenceOfItems&>(e);
  for (unsigned long i = 0; i < seq.card(); ++i) {
    DcmItem* item = seq.getItem(i);
    for (unsigned long j = 0; j < item->card(); ++j)
      if (hasKeyValue(*item->getElement(j))) return true;
  }
  return false;
}

std::string rawValue(DcmElement& e) {
  char* raw = nullptr;
  if (e.getString(raw).bad() || !raw) return {};
  return std::string(raw, e.getLength());
}

bool itemMatches(DcmItem& source, DcmItem& request, dicom::TextDecoder& text, bool ci, bool checkLeaves);

bool sequenceMatches(DcmItem& source, DcmSequenceOfItems& key, dicom::TextDecoder& text, bool ci, bool checkLeaves) {
  if (!hasKeyValue(key)) return true;  // universal: a return key
  DcmSequenceOfItems* stored = nullptr;
  if (source.findAndGetSequence(key.getTag(), stored).bad() || !stored) return false;
  DcmItem* keyItem = key.getItem(0);
  for (unsigned long i = 0; i < stored->card(); ++i)
    if (itemMatches(*stored->getItem(i), *keyItem, text, ci, checkLeaves)) return true;
  return false;
}

bool leafMatches(DcmItem& source, DcmElement& key, dicom::TextDecoder& text, bool ci) {
  if (key.getLength() == 0) return true;
  const std::string vr = DcmVR(key.getVR()).getVRName();
  const std::string keyValue = dicom::trim(text.decode(rawValue(key), vr == "PN"));
  DcmElement* stored = nullptr;
  if (source.findAndGetElement(key.getTag(), stored).bad() || !stored) return false;
  for (const auto& v : split(rawValue(*stored)))
    if (valueMatches(vr.c_str(), keyValue, v, ci)) return true;
  return false;
}

bool itemMatches(DcmItem& source, DcmItem& request, dicom::TextDecoder& text, bool ci, bool checkLeaves) {
  for (unsigned long i = 0; i < request.card(); ++i) {
    DcmElement* key = request.getElement(i);
    if (key->getGTag() == 0x0002 || key->getTag() == DcmTagKey(0x0008, 0x0005)) continue;
    if (key->getVR() == EVR_SQ) {
      auto* seq = static_cast<DcmSequenceOfItems*>(key);
      if (seq->card() > 0 && !sequenceMatches(source, *seq, text, ci, true)) return false;
    } else if (checkLeaves && !leafMatches(source, *key, text, ci)) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool valueMatches(const char* vrName, const std::string& key, const std::string& value, bool ci) {
  const std::string_view vr(vrName);
  if (key.empty()) return true;
  if (vr == "UI") {
    auto uids = split(key);
    return std::find(uids.begin(), uids.end(), value) != uids.end();
  }
  if (isRangeVr(vr)) {
    auto dash = key.find('-');
    if (dash == std::string::npos) return inRange(value, key, key);
    return inRange(value, key.substr(0, dash), key.substr(dash + 1));
  }
  const bool fold = ci && vr == "PN";
  const std::string k = fold ? lowerAscii(key) : key;
  const std::string v = fold ? lowerAscii(value) : value;
  if (k.find_first_of("*?") != std::string::npos) return glob(k, v);
  if (vr == "PN") return dicom::trimPersonName(k) == dicom::trimPersonName(v);
  return k == v;
}

bool sequenceKeysMatch(DcmItem& source, DcmItem& request, bool ci, unsigned long skipLeavesOf) {
  dicom::TextDecoder text(request);
  for (unsigned long i = 0; i < request.card(); ++i) {
    DcmElement* key = request.getElement(i);
    if (key->getVR() != EVR_SQ) continue;
    auto* seq = static_cast<DcmSequenceOfItems*>(key);
    if (seq->card() == 0) continue;
    const DcmTagKey& t = key->getTag();
    const unsigned long tagValue = (static_cast<unsigned long>(t.getGroup()) << 16) | t.getElement();
    if (!sequenceMatches(source, *seq, text, ci, tagValue != skipLeavesOf)) return false;
  }
  return true;
}

}  // namespace atrium::query
