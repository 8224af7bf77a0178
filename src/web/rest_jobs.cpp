// REST jobs: the send queue, as `atrium jobs` and `atrium push` see it.
#include <httplib.h>

#include "index/sqlite_util.h"
#include "routing/forwarder.h"
#include "routing/job_queue.h"
#include "web/http_server.h"
#include "web/json_response.h"
#include "web/web_context.h"

namespace atrium::web {
namespace {

nlohmann::json restJob(const routing::JobInfo& j) {
  auto out = routing::jobJson(j);
  out["created_ms"] = j.createdAt;
  out["updated_ms"] = j.updatedAt;
  out["next_attempt_ms"] = j.nextAttemptAt;
  return out;
}

void wake(WebContext& ctx) {
  if (ctx.forwarder) ctx.forwarder->wake();
}

}  // namespace

void registerJobRoutes(HttpServer& http, WebContext& ctx) {
  http.get("/api/jobs", Role::Viewer, [&](const httplib::Request&, httplib::Response& res) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& j : routing::listJobs(ctx.archive.index())) out.push_back(restJob(j));
    sendJson(res, 200, out);
  });

  http.get(R"(/api/jobs/([0-9]{1,18}))", Role::Viewer, [&](const httplib::Request& req, httplib::Response& res) {
    auto j = routing::getJob(ctx.archive.index(), std::stoll(req.matches[1]));
    if (!j) return sendError(res, 404, "no job " + std::string(req.matches[1]));
    sendJson(res, 200, restJob(*j));
  });

  auto change = [&](bool retry) {
    return [&, retry](const httplib::Request& req, httplib::Response& res) {
      std::int64_t id = std::stoll(req.matches[1]);
      std::string why;
      bool ok =
          retry ? routing::retryJob(ctx.archive.index(), id, &why) : routing::cancelJob(ctx.archive.index(), id, &why);
      if (!ok) return sendError(res, why == "no such job" ? 404 : 409, "job " + std::to_string(id) + ": " + why);
      wake(ctx);
      sendJson(res, 200, restJob(*routing::getJob(ctx.archive.index(), id)));
    };
  };
  http.post(R"(/api/jobs/([0-9]{1,18})/retry)", Role::Admin, change(true));
  http.post(R"(/api/jobs/([0-9]{1,18})/cancel)", Role::Admin, change(false));

  http.post("/api/push", Role::Admin, [&](const httplib::Request& req, httplib::Response& res) {
    nlohmann::json body;
    if (!parseJsonBody(req, res, body)) return;
    if (!body.is_object() || !body.contains("study") || !body["study"].is_string() || !body.contains("to") ||
        !body["to"].is_string())
      return sendError(res, 400, "a push is {\"study\": Study Instance UID, \"to\": peer AE title}");
    std::string to = body["to"], study = body["study"];
    if (!ctx.archive.peers().find(to)) return sendError(res, 400, "'" + to + "' is not a known peer");
    std::int64_t id = 0;
    try {
      id = routing::createPushJob(ctx.archive.index(), study, to, ctx.config.retry);
    } catch (const std::exception& e) {
      return sendError(res, 404, e.what());
    }
    wake(ctx);
    sendJson(res, 201, restJob(*routing::getJob(ctx.archive.index(), id)));
  });
}

}  // namespace atrium::web
