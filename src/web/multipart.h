#pragma once
// multipart/related bodies (RFC 2387) as DICOMweb uses them: a streaming reader for STOW-RS request
// bodies (parts are handed over piece by piece, never held whole) and the part framing for
// WADO-RS responses.
#include <functional>
#include <map>
#include <string>

namespace atrium::web {

class MultipartReader {
 public:
  struct Callbacks {
    // headers: names lower case. Return false to reject (the reader stops with an error).
    std::function<bool(const std::map<std::string, std::string>& headers)> onPartBegin;
    std::function<bool(const char* data, std::size_t size)> onPartData;
    std::function<bool()> onPartEnd;
  };
  MultipartReader(std::string boundary, Callbacks callbacks);
  // Feed the next piece of the body; false once the body is malformed or a callback said no.
  bool feed(const char* data, std::size_t size);
  // After the last piece: true when the closing boundary was seen.
  bool finished() const { return state_ == State::Done; }
  const std::string& error() const { return error_; }

 private:
  enum class State { Preamble, Headers, Body, Done, Failed };
  bool fail(const std::string& why);
  std::string delimiter_;  // "\r\n--boundary"
  Callbacks cb_;
  State state_ = State::Preamble;
  std::string buffer_;
  std::string error_;
};

// "--boundary\r\nContent-Type: ...\r\n\r\n" before a part's bytes.
std::string partHeader(const std::string& boundary, const std::string& contentType);
// "\r\n--boundary--\r\n" after the last part.
std::string closingDelimiter(const std::string& boundary);
// A boundary that will not occur in the parts (random).
std::string newBoundary();

}  // namespace atrium::web
