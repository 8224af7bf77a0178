#pragma once
// JSON bodies for the REST API and DICOMweb errors: every 4xx/5xx carries {"error": message}.
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>

namespace atrium::web {

inline void sendJson(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
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
