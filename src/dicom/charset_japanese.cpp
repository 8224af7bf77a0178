#include "dicom/charset_japanese.h"

#include <iconv.h>

#include <cstdint>
#include <cstring>

namespace atrium::dicom {
namespace {

enum class G0 { Ascii, Romaji, Jis0208, Jis0212 };

void appendUtf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// A run of two-byte JIS X 0208 or 0212 characters (GL bytes), through glibc's ISO-2022-JP-2.
void appendJisRun(std::string& out, const std::string& run, G0 set) {
  if (run.empty()) return;
  std::string in = (set == G0::Jis0208 ? std::string("\x1b$B") : std::string("\x1b$(D")) + run + "\x1b(B";
  iconv_t cd = iconv_open("UTF-8", "ISO-2022-JP-2");
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    out += "\xEF\xBF\xBD";
    return;
  }
  std::string buf(run.size() * 3 + 16, '\0');
  char* inp = in.data();
  std::size_t inLeft = in.size();
  char* outp = buf.data();
  std::size_t outLeft = buf.size();
  while (inLeft > 0) {
    if (iconv(cd, &inp, &inLeft, &outp, &outLeft) == static_cast<std::size_t>(-1)) {
      // Skip one undecodable character (two bytes) and mark it.
      if (outLeft >= 3) {
        std::memcpy(outp, "\xEF\xBF\xBD", 3);
        outp += 3;
        outLeft -= 3;
      }
      std::size_t skip = inLeft >= 2 ? 2 : inLeft;
      inp += skip;
      inLeft -= skip;
    }
  }
  iconv_close(cd);
  out.append(buf.data(), buf.size() - outLeft);
}

bool isDelimiter(unsigned char c, bool personName) {
  return c == '\\' || c == '\r' || c == '\n' || c == '\t' || c == '\f' || (personName && (c == '^' || c == '='));
}

}  // namespace

bool isJapaneseIso2022(const std::vector<std::string>& cs) {
  for (const auto& v : cs)
    if (v == "ISO 2022 IR 13" || v == "ISO 2022 IR 87" || v == "ISO 2022 IR 159") return true;
  return false;
}

std::string decodeJapaneseIso2022(const std::string& raw, const std::vector<std::string>& cs, bool personName) {
  // Initial state from the first value: IR 13 puts romaji in G0 and katakana in G1.
  const bool ir13First = !cs.empty() && cs.front() == "ISO 2022 IR 13";
  const G0 initialG0 = ir13First ? G0::Romaji : G0::Ascii;
  G0 g0 = initialG0;
  bool katakanaG1 = ir13First;
  std::string out, run;
  auto flush = [&] {
    appendJisRun(out, run, g0);
    run.clear();
  };

  for (std::size_t i = 0; i < raw.size();) {
    unsigned char c = static_cast<unsigned char>(raw[i]);
    if (c == 0x1B) {  // escape sequence: designate a set
      flush();
      auto starts = [&](const char* seq) { return raw.compare(i, std::strlen(seq), seq) == 0; };
      if (starts("\x1b(B")) {
        g0 = G0::Ascii;
        i += 3;
      } else if (starts("\x1b(J")) {
        g0 = G0::Romaji;
        i += 3;
      } else if (starts("\x1b)I")) {
        katakanaG1 = true;
        i += 3;
      } else if (starts("\x1b$B")) {
        g0 = G0::Jis0208;
        i += 3;
      } else if (starts("\x1b$(D")) {
        g0 = G0::Jis0212;
        i += 4;
      } else {
        out += "\xEF\xBF\xBD";
        i += 1;
      }  // unknown designation
      continue;
    }
    if (g0 == G0::Jis0208 || g0 == G0::Jis0212) {
      if (c >= 0x21 && c <= 0x7E && i + 1 < raw.size()) {
        run += raw.substr(i, 2);
        i += 2;
        continue;
      }
      // A control or delimiter inside a two-byte run ends it (senders should escape first).
      flush();
      g0 = initialG0;
    }
    if (c >= 0x80) {
      if (katakanaG1 && c >= 0xA1 && c <= 0xDF)
        appendUtf8(out, 0xFF61 + (c - 0xA1));
      else
        out += "\xEF\xBF\xBD";
    } else if (g0 == G0::Romaji && c == 0x5C) {
      appendUtf8(out, 0xA5);  // YEN SIGN
    } else if (g0 == G0::Romaji && c == 0x7E) {
      appendUtf8(out, 0x203E);  // OVERLINE
    } else {
      out += static_cast<char>(c);
    }
    if (isDelimiter(c, personName)) {
      g0 = initialG0;
      katakanaG1 = ir13First;
    }
    ++i;
  }
  flush();
  return out;
}

}  // namespace atrium::dicom
