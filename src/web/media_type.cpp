#include "web/media_type.h"

#include <cctype>

namespace atrium::web {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trimmed(const std::string& s) {
  std::size_t a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
  return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

// Splits on sep outside double quotes.
std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (char c : s) {
    if (c == '"') quoted = !quoted;
    if (c == sep && !quoted)
      out.emplace_back();
    else
      out.back() += c;
  }
  return out;
}

}  // namespace

std::vector<MediaRange> parseMediaRanges(const std::string& header) {
  std::vector<MediaRange> out;
  for (const auto& part : split(header, ',')) {
    auto fields = split(part, ';');
    MediaRange r;
    r.type = lower(trimmed(fields[0]));
    if (r.type.empty()) continue;
    for (std::size_t i = 1; i < fields.size(); ++i) {
      auto eq = fields[i].find('=');
      if (eq == std::string::npos) continue;
      std::string name = lower(trimmed(fields[i].substr(0, eq))), value = trimmed(fields[i].substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      r.params[name] = value;
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace atrium::web
