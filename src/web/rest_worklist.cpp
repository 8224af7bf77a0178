// REST worklist: the same items, validation and storage as `atrium worklist`.
#include <httplib.h>

#include "web/http_server.h"
#include "web/json_response.h"
#include "web/web_context.h"
#include "worklist/mpps_store.h"
#include "worklist/worklist_item.h"
#include "worklist/worklist_store.h"

namespace atrium::web {

void registerWorklistRoutes(HttpServer& http, WebContext& ctx) {
  http.get("/api/worklist", Role::Viewer, [&](const httplib::Request&, httplib::Response& res) {
    ctx.archive.expireWorklist();
    nlohmann::json out = nlohmann::json::array();
    worklist::listItems(ctx.archive.index(), [&](const worklist::ListedItem& i) {
      out.push_back({{"id", i.id}, {"item", nlohmann::json::parse(i.json)}});
    });
    sendJson(res, 200, out);
  });

  // MPPS: what the modalities reported, newest first.
  http.get("/api/mpps", Role::Viewer, [&](const httplib::Request&, httplib::Response& res) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : worklist::listPerformedSteps(ctx.archive.index()))
      out.push_back({{"sop_instance_uid", s.uid},
                     {"status", s.status},
                     {"patient_id", s.patientId},
                     {"accession", s.accession},
                     {"scheduled_step_ids", s.scheduledStepIds},
                     {"calling_aet", s.callingAet},
                     {"created_ms", s.createdAt},
                     {"updated_ms", s.updatedAt},
                     {"attributes", nlohmann::json::parse(s.json, nullptr, false)}});
    sendJson(res, 200, out);
  });

  http.post("/api/worklist", Role::Admin, [&](const httplib::Request& req, httplib::Response& res) {
    worklist::WorklistItem item;
    try {
      item = worklist::parseWorklistItem(req.body);
    } catch (const worklist::WorklistError& e) {
      return sendError(res, 400, e.what());
    }
    std::int64_t id = worklist::addItem(ctx.archive.index(), item);
    res.set_header("Location", "/api/worklist/" + std::to_string(id));
    sendJson(res, 201, {{"id", id}, {"patient_id", item.patientId}, {"steps", item.steps.size()}});
  });

  http.del(R"(/api/worklist/([0-9]{1,18}))", Role::Admin, [&](const httplib::Request& req, httplib::Response& res) {
    std::int64_t id = std::stoll(req.matches[1]);
    if (!worklist::removeItem(ctx.archive.index(), id))
      return sendError(res, 404, "no worklist item " + std::to_string(id));
    sendJson(res, 200, {{"removed", id}});
  });
}

}  // namespace atrium::web
