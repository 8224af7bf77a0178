// GET /api/dose?patient=ID[&from=YYYYMMDD]: a patient's radiation dose from the dose reports the
// archive received, per study and event, cumulative, and the notifications raised.
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "dose/dose_registry.h"
#include "web/http_server.h"
#include "web/json_response.h"
#include "web/web_audit.h"
#include "web/web_context.h"

namespace atrium::web {
namespace {

nlohmann::json optionalValue(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); }

}  // namespace

void registerDoseRoutes(HttpServer& http, WebContext& ctx) {
  http.get("/api/dose", Role::Viewer, [&](const httplib::Request& req, httplib::Response& res) {
    const std::string patient = req.get_param_value("patient"), from = req.get_param_value("from");
    if (patient.empty()) return sendError(res, 400, "give ?patient=ID (and optionally &from=YYYYMMDD)");
    if (!from.empty() && (from.size() != 8 || from.find_first_not_of("0123456789") != std::string::npos))
      return sendError(res, 400, "from must be a date, YYYYMMDD");
    auto d = dose::patientDose(ctx.archive.index(), patient, from);
    auditSearch(req, patient);
    nlohmann::json studies = nlohmann::json::array();
    for (const auto& s : d.studies) {
      nlohmann::json events = nlohmann::json::array();
      for (const auto& e : s.events)
        events.push_back({{"kind", e.kind},
                          {"protocol", e.protocol},
                          {"ctdivol_mgy", optionalValue(e.ctdivolMgy)},
                          {"dlp_mgycm", optionalValue(e.dlpMgyCm)},
                          {"scan_length_mm", optionalValue(e.scanLengthMm)},
                          {"dap_gym2", optionalValue(e.dapGyM2)},
                          {"dose_rp_gy", optionalValue(e.doseRpGy)}});
      studies.push_back({{"study_uid", s.studyUid},
                         {"study_date", s.studyDate},
                         {"total_dlp_mgycm", s.totalDlpMgyCm},
                         {"total_dap_gym2", s.totalDapGyM2},
                         {"events", events}});
    }
    nlohmann::json alerts = nlohmann::json::array();
    for (const auto& a : d.alerts)
      alerts.push_back({{"study_uid", a.studyUid},
                        {"protocol", a.protocol},
                        {"quantity", a.quantity},
                        {"value", a.value},
                        {"level", a.level}});
    sendJson(res, 200,
             {{"patient_id", patient},
              {"studies", studies},
              {"cumulative_dlp_mgycm", d.cumulativeDlpMgyCm},
              {"cumulative_dap_gym2", d.cumulativeDapGyM2},
              {"alerts", alerts}});
  });
}

}  // namespace atrium::web
