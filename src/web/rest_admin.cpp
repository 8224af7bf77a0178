// REST admin API: server status and statistics, peers, deletions.
#include <httplib.h>

#include <cstdint>
#include <filesystem>
#include <utility>

#include "common/version.h"
#include "dimse/echo_scu.h"
#include "routing/job_queue.h"
#include "web/http_server.h"
#include "web/json_response.h"
#include "web/web_context.h"

namespace atrium::web {
namespace {

nlohmann::json peerJson(const Peer& p, bool fromConfig) {
  return {{"aet", p.aet}, {"host", p.host}, {"port", p.port}, {"source", fromConfig ? "config" : "api"}};
}

}  // namespace

void registerAdminRoutes(HttpServer& http, WebContext& ctx) {
  http.get("/api/status", Role::Viewer, [&](const httplib::Request&, httplib::Response& res) {
    auto counts = ctx.archive.index().counts();
    std::error_code ec;
    auto space = std::filesystem::space(ctx.config.dataDir, ec);
    nlohmann::json jobs = nlohmann::json::object();
    for (const auto& [state, n] : routing::countJobsByState(ctx.archive.index())) jobs[state] = n;
    auto uptime =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - ctx.started).count();
    sendJson(res, 200,
             {{"name", "Atrium"},
              {"version", version()},
              {"aet", ctx.config.aet},
              {"dicom_port", ctx.config.dicomPort},
              {"uptime_s", uptime},
              {"patients", counts.patients},
              {"studies", counts.studies},
              {"series", counts.series},
              {"instances", counts.instances},
              {"disk_free_bytes", ec ? nlohmann::json(nullptr) : nlohmann::json(space.available)},
              {"jobs", jobs}});
  });

  http.get("/api/peers", Role::Viewer, [&](const httplib::Request&, httplib::Response& res) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : ctx.archive.peers().list()) out.push_back(peerJson(e.peer, e.fromConfig));
    sendJson(res, 200, out);
  });

  http.post("/api/peers", Role::Admin, [&](const httplib::Request& req, httplib::Response& res) {
    nlohmann::json body;
    if (!parseJsonBody(req, res, body)) return;
    if (!body.is_object() || !body.contains("aet") || !body["aet"].is_string() || !body.contains("host") ||
        !body["host"].is_string() || !body.contains("port") || !body["port"].is_number_integer() ||
        !std::in_range<int>(body["port"].get<std::int64_t>()))
      return sendError(res, 400, "a peer is {\"aet\": string, \"host\": string, \"port\": integer}");
    Peer p;
    p.aet = body["aet"].get<std::string>();
    p.host = body["host"].get<std::string>();
    p.port = body["port"].get<int>();
    try {
      ctx.archive.peers().add(p);
    } catch (const PeerError& e) {
      return sendError(res, 400, e.what());
    }
    sendJson(res, 201, peerJson(*ctx.archive.peers().find(p.aet), false));
  });

  http.del(R"(/api/peers/([^/]+))", Role::Admin, [&](const httplib::Request& req, httplib::Response& res) {
    std::string aet = req.matches[1];
    try {
      if (!ctx.archive.peers().remove(aet)) return sendError(res, 404, "no peer " + aet);
    } catch (const PeerError& e) {
      return sendError(res, 409, e.what());
    }
    sendJson(res, 200, {{"removed", aet}});
  });

  http.post(R"(/api/peers/([^/]+)/echo)", Role::Admin, [&](const httplib::Request& req, httplib::Response& res) {
    std::string aet = req.matches[1];
    auto p = ctx.archive.peers().find(aet);
    if (!p) return sendError(res, 404, "no peer " + aet);
    dimse::PeerAddress a = peerAddress(*p, ctx.config);
    a.timeoutSeconds = 10;
    auto start = std::chrono::steady_clock::now();
    try {
      unsigned short status = dimse::echo(a);
      double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      sendJson(res, 200, {{"aet", aet}, {"ok", status == 0}, {"status", status}, {"ms", ms}});
    } catch (const std::exception& e) {
      sendJson(res, 200, {{"aet", aet}, {"ok", false}, {"error", e.what()}});
    }
  });

  auto deleter = [&](query::Level level) {
    return [&, level](const httplib::Request& req, httplib::Response& res) {
      std::string uid = req.matches[1];
      std::size_t n = ctx.archive.remove(level, uid, "REST API", requestUser(), req.remote_addr);
      if (n == 0) return sendError(res, 404, std::string("no ") + query::levelName(level) + " " + uid);
      sendJson(res, 200, {{"deleted", uid}, {"instances", n}});
    };
  };
  http.del(R"(/api/studies/([0-9.]+))", Role::Admin, deleter(query::Level::Study));
  // A protected study is never deleted to make room (storage_full_policy delete-oldest).
  auto protector = [&](bool on) {
    return [&, on](const httplib::Request& req, httplib::Response& res) {
      std::string uid = req.matches[1];
      if (!ctx.archive.setProtected(uid, on)) return sendError(res, 404, "no study " + uid);
      sendJson(res, 200, {{"study", uid}, {"protected", on}});
    };
  };
  http.post(R"(/api/studies/([0-9.]{1,64})/protect)", Role::Admin, protector(true));
  http.post(R"(/api/studies/([0-9.]{1,64})/unprotect)", Role::Admin, protector(false));
  http.del(R"(/api/series/([0-9.]+))", Role::Admin, deleter(query::Level::Series));
  http.del(R"(/api/instances/([0-9.]+))", Role::Admin, deleter(query::Level::Image));
}

}  // namespace atrium::web
