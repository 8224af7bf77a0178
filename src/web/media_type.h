#pragma once
// Accept and Content-Type headers: media ranges with their parameters (type, transfer-syntax,
// boundary), as DICOMweb negotiates them (PS3.18 8.7).
#include <map>
#include <string>
#include <vector>

namespace atrium::web {

struct MediaRange {
  std::string type;                           // lower case, e.g. "multipart/related"
  std::map<std::string, std::string> params;  // names lower case, values unquoted
  std::string param(const std::string& name) const {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  }
};

// One header value: "a/b; x=1, c/d; type=\"e/f\"" → two ranges (an empty header → none).
std::vector<MediaRange> parseMediaRanges(const std::string& header);

}  // namespace atrium::web
