#include "web/multipart.h"

#include <cctype>
#include <random>

namespace atrium::web {

MultipartReader::MultipartReader(std::string boundary, Callbacks callbacks)
    : delimiter_("\r\n--" + std::move(boundary)), cb_(std::move(callbacks)) {
  // The first delimiter may start the body without the leading CRLF.
  buffer_ = "\r\n";
}

bool MultipartReader::fail(const std::string& why) {
  state_ = State::Failed;
  if (error_.empty()) error_ = why;
  return false;
}

bool MultipartReader::feed(const char* data, std::size_t size) {
  if (state_ == State::Failed) return false;
  if (state_ == State::Done) return true;  // epilogue is ignored
  buffer_.append(data, size);
  for (;;) {
    if (state_ == State::Preamble || state_ == State::Body) {
      auto pos = buffer_.find(delimiter_);
      if (pos == std::string::npos) {
        // Hand over all but what could be the start of a delimiter.
        std::size_t keep = std::min(buffer_.size(), delimiter_.size() + 4);
        std::size_t give = buffer_.size() - keep;
        if (state_ == State::Body && give && !cb_.onPartData(buffer_.data(), give)) return fail("part refused");
        buffer_.erase(0, give);
        return true;
      }
      if (state_ == State::Body) {
        if (pos && !cb_.onPartData(buffer_.data(), pos)) return fail("part refused");
        if (!cb_.onPartEnd()) return fail("part refused");
      }
      // After the delimiter: "--" closes, CRLF opens a part (transport padding allowed).
      std::size_t after = pos + delimiter_.size();
      if (buffer_.size() < after + 2) {
        buffer_.erase(0, pos);
        state_ = state_ == State::Body ? State::Preamble : state_;  // re-find the same delimiter
        return true;
      }
      if (buffer_.compare(after, 2, "--") == 0) {
        state_ = State::Done;
        buffer_.clear();
        return true;
      }
      auto eol = buffer_.find("\r\n", after);
      if (eol == std::string::npos) {
        buffer_.erase(0, pos);
        state_ = State::Preamble;
        return true;
      }
      buffer_.erase(0, eol + 2);
      state_ = State::Headers;
    }
    if (state_ == State::Headers) {
      auto end = buffer_.find("\r\n\r\n");
      std::size_t skip = 4;
      if (buffer_.rfind("\r\n", 0) == 0) {  // a part without headers
        end = 0;
        skip = 2;
      }
      if (end == std::string::npos) {
        if (buffer_.size() > 16384) return fail("part headers too long");
        return true;
      }
      std::map<std::string, std::string> headers;
      std::size_t start = 0;
      std::string block = buffer_.substr(0, end);
      while (start < block.size()) {
        auto nl = block.find("\r\n", start);
        std::string line = block.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
        auto colon = line.find(':');
        if (colon != std::string::npos) {
          std::string name = line.substr(0, colon);
          for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          std::string value = line.substr(colon + 1);
          value.erase(0, value.find_first_not_of(" \t"));
          headers[name] = value;
        }
        if (nl == std::string::npos) break;
        start = nl + 2;
      }
      // The part body ends at the next delimiter, which begins with the CRLF before "--".
      buffer_.erase(0, end + skip);
      if (!cb_.onPartBegin(headers)) return fail("part refused");
      state_ = State::Body;
    }
  }
}

std::string partHeader(const std::string& boundary, const std::string& contentType) {
  return "--" + boundary + "\r\nContent-Type: " + contentType + "\r\n\r\n";
}

std::string closingDelimiter(const std::string& boundary) { return "\r\n--" + boundary + "--\r\n"; }

std::string newBoundary() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* hex = "0123456789abcdef";
  std::string b = "atrium-";
  for (int i = 0; i < 32; ++i) b += hex[rng() % 16];
  return b;
}

}  // namespace atrium::web
