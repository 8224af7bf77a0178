#include "dicom/response_charset.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcelem.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <iconv.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <vector>

#include "dicom/text.h"

namespace atrium::dicom {
namespace {

constexpr const char* kUtf8 = "ISO_IR 192";

std::vector<std::string> values(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s + '\\') {
    if (c == '\\') {
      while (!cur.empty() && cur.back() == ' ') cur.pop_back();
      while (!cur.empty() && cur.front() == ' ') cur.erase(0, 1);
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  return out;
}

bool affected(DcmEVR vr) {
  return vr == EVR_PN || vr == EVR_LO || vr == EVR_SH || vr == EVR_LT || vr == EVR_ST || vr == EVR_UT || vr == EVR_UC;
}

// Every text value (nested ones too) through f; false as soon as f fails.
bool forEachText(DcmItem& item, const std::function<bool(DcmElement&)>& f) {
  for (unsigned long i = 0; i < item.card(); ++i) {
    DcmElement* e = item.getElement(i);
    if (e->ident() == EVR_SQ) {
      auto* sq = static_cast<DcmSequenceOfItems*>(e);
      for (unsigned long j = 0; j < sq->card(); ++j)
        if (!forEachText(*sq->getItem(j), f)) return false;
    } else if (affected(e->ident()) && !f(*e)) {
      return false;
    }
  }
  return true;
}

std::optional<std::string> iconvConvert(const std::string& in, const char* to) {
  iconv_t cd = iconv_open(to, "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::string out(in.size() * 4 + 16, '\0');
  char* src = const_cast<char*>(in.data());
  size_t srcLeft = in.size(), dstLeft = out.size();
  char* dst = out.data();
  bool ok = iconv(cd, &src, &srcLeft, &dst, &dstLeft) != static_cast<size_t>(-1) &&
            iconv(cd, nullptr, nullptr, &dst, &dstLeft) != static_cast<size_t>(-1);  // back to ASCII at the end
  iconv_close(cd);
  if (!ok) return std::nullopt;
  out.resize(out.size() - dstLeft);
  return out;
}

// A value split where PS3.5 6.1.2.5.3 returns to the initial code state: the value separator,
// CR/LF/TAB, and for person names the component delimiters.
std::vector<std::string> pieces(const std::string& v, bool personName, std::string& delimiters) {
  std::vector<std::string> out(1);
  for (char c : v) {
    if (c == '\\' || c == '\r' || c == '\n' || c == '\t' || (personName && (c == '^' || c == '='))) {
      delimiters += c;
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

// One text value in an ISO 2022 set: each non-ASCII piece encoded (and escaped) by `encode`.
bool encodeIso2022(DcmElement& e, const std::function<std::optional<std::string>(const std::string&)>& encode) {
  OFString v;
  e.getOFStringArray(v);
  const std::string s = v.c_str();
  if (isAscii(s)) return true;
  std::string delimiters, out;
  auto parts = pieces(s, e.ident() == EVR_PN, delimiters);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += delimiters[i - 1];
    if (isAscii(parts[i])) {
      out += parts[i];
      continue;
    }
    auto enc = encode(parts[i]);
    if (!enc) return false;
    out += *enc;
  }
  return e.putString(out.c_str()).good();
}

}  // namespace

std::string answerInRequestedCharset(DcmDataset& response, const std::string& requested) {
  const auto wanted = values(requested);
  const bool none = std::all_of(wanted.begin(), wanted.end(), [](const std::string& v) { return v.empty(); });
  if (none) {
    // The default repertoire: possible only when everything is ASCII.
    bool ascii = forEachText(response, [](DcmElement& e) {
      OFString v;
      e.getOFStringArray(v);
      return isAscii(v.c_str());
    });
    if (!ascii) return kUtf8;
    response.findAndDeleteElement(DCM_SpecificCharacterSet);
    return "";
  }
  if (wanted.size() == 1 && wanted[0] == kUtf8) return kUtf8;
  const bool iso2022 = std::any_of(wanted.begin(), wanted.end(),
                                   [](const std::string& v) { return v.rfind("ISO 2022", 0) == 0; });
  DcmDataset copy(response);
  bool ok = false;
  if (!iso2022 && wanted.size() == 1) {
    // Single-byte sets and GB18030/GBK: DCMTK's converter, which fails on what the set lacks.
    ok = copy.convertCharacterSet(kUtf8, wanted[0].c_str(), 0, OFTrue).good();
  } else {
    auto has = [&](const char* term) { return std::find(wanted.begin(), wanted.end(), term) != wanted.end(); };
    const bool asciiBase = wanted[0].empty() || wanted[0] == "ISO 2022 IR 6";
    if (asciiBase && has("ISO 2022 IR 87") && wanted.size() <= 3) {
      // ESC $ B ... ESC ( B: what iconv's ISO-2022-JP writes (JIS X 0208 runs, ASCII at the end).
      ok = forEachText(copy, [](DcmElement& e) {
        return encodeIso2022(e, [](const std::string& s) { return iconvConvert(s, "ISO-2022-JP"); });
      });
    } else if (asciiBase && has("ISO 2022 IR 149") && wanted.size() == 2) {
      // KS X 1001 in G1: ESC $ ) C before the run, then the EUC-KR bytes.
      ok = forEachText(copy, [](DcmElement& e) {
        return encodeIso2022(e, [](const std::string& s) -> std::optional<std::string> {
          auto euc = iconvConvert(s, "EUC-KR");
          if (!euc) return std::nullopt;
          return std::string("\x1b$)C") + *euc;
        });
      });
    }
    if (ok) ok = copy.putAndInsertString(DCM_SpecificCharacterSet, requested.c_str()).good();
  }
  if (!ok) return kUtf8;
  response = copy;
  return requested;
}

}  // namespace atrium::dicom
