#pragma once
// JSON bodies for the REST API and DICOMweb errors: every 4xx/5xx carries {"error": message}.
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>

namespace atrium::web {

// Text that is not valid UTF-8 (a request path with %FF in it, a header read from a data set) is
// sent with U+FFFD in its place: a strict dump throws, and out of an error handler that ends the
// process (found by fuzz/fuzz_http_request).
inline std::string jsonText(const nlohmann::json& body) {
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

inline void sendJson(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(jsonText(body), "application/json");
}

inline void sendError(httplib::Response& res, int status, const std::string& message) {
  sendJson(res, status, nlohmann::json{{"error", message}});
}

// The body as JSON; sends 400 and returns false when it is not.
inline bool parseJsonBody(const httplib::Request& req, httplib::Response& res, nlohmann::json& out) {
  try {
    out = nlohmann::json::parse(req.body);
    return true;
  } catch (const std::exception& e) {
    sendError(res, 400, std::string("request body is not valid JSON: ") + e.what());
    return false;
  }
}

}  // namespace atrium::web
