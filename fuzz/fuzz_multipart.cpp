// multipart/related as STOW-RS receives it: the first line of the input is the request's
// Content-Type (media ranges with their parameters, the boundary among them), the rest the body,
// fed to the streaming reader in pieces of a size the second byte picks. A reader that says "no"
// with a reason is the expected answer; a crash, a sanitizer report or an exception is a finding.
#include <string>

#include "fuzz_support.h"
#include "web/media_type.h"
#include "web/multipart.h"

using namespace atrium;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  auto eol = input.find('\n');
  std::string header = input.substr(0, eol);
  std::string body = eol == std::string::npos ? std::string() : input.substr(eol + 1);
  auto ranges = web::parseMediaRanges(header);
  std::string boundary = ranges.empty() ? std::string() : ranges.front().param("boundary");
  if (boundary.empty()) boundary = "atrium-fuzz";
  std::size_t piece = 1 + (size > 1 ? data[1] % 97 : 0);

  std::size_t parts = 0, bytes = 0;
  bool open = false;
  web::MultipartReader reader(boundary, {[&](const std::map<std::string, std::string>&) {
                                           if (open) std::abort();  // a part began inside a part
                                           open = true;
                                           ++parts;
                                           return true;
                                         },
                                         [&](const char*, std::size_t n) {
                                           if (!open) std::abort();  // data outside a part
                                           bytes += n;
                                           return true;
                                         },
                                         [&]() {
                                           if (!open) std::abort();
                                           open = false;
                                           return true;
                                         }});
  for (std::size_t at = 0; at < body.size(); at += piece) {
    if (!reader.feed(body.data() + at, std::min(piece, body.size() - at))) {
      if (reader.error().empty()) std::abort();  // a refusal must say why
      break;
    }
  }
  if (bytes > body.size()) std::abort();  // more part data than body
  return 0;
}
