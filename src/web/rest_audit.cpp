// GET /api/audit: the audit trail, for an auditor (admin role). Reading it is itself audited
// (110101 Audit Log Used), as PS3.15 A.5.3.2 asks.
#include <httplib.h>

#include <regex>

#include "audit/audit_trail.h"
#include "web/http_server.h"
#include "web/json_response.h"
#include "web/web_audit.h"
#include "web/web_context.h"

namespace atrium::web {

void registerAuditRoutes(HttpServer& http, WebContext&) {
  http.get("/api/audit", Role::Admin, [](const httplib::Request& req, httplib::Response& res) {
    audit::AuditTrail* trail = audit::installed();
    if (!trail) return sendError(res, 503, "no audit trail in this process");
    static const std::regex isoPrefix(R"(\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2}(\.\d{1,3})?)?)?)?)?)?)");
    std::string since = req.get_param_value("since"), patient = req.get_param_value("patient");
    if (!since.empty() && !std::regex_match(since, isoPrefix))
      return sendError(res, 400, "since must be an ISO date or date-time (2026-12-01 or 2026-12-01T10:00:00)");
    std::size_t limit = 1000;
    if (req.has_param("limit")) {
      const std::string v = req.get_param_value("limit");
      if (v.empty() || v.size() > 6 || v.find_first_not_of("0123456789") != std::string::npos || std::stoul(v) == 0)
        return sendError(res, 400, "limit must be a number from 1 to 999999");
      limit = std::stoul(v);
    }
    std::vector<std::string> messages;
    try {
      messages = trail->read(since, patient, limit);
    } catch (const std::exception& e) {
      return sendError(res, 500, std::string("cannot read the audit trail: ") + e.what());
    }
    audit::Message used = requestMessage(audit::Event::AuditLogUsed, 'R', req);
    used.patientId = patient;
    used.detail = "GET /api/audit since=" + since + ": " + std::to_string(messages.size()) + " messages";
    audit::record(std::move(used));
    sendJson(res, 200, {{"count", messages.size()}, {"messages", messages}});
  });
}

}  // namespace atrium::web
