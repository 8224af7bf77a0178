// GET /healthz (is this node able to archive: index answers, disk takes a file) and GET /metrics
// (Prometheus text format: the process's counters and histograms, plus what is read when scraped).
#include <httplib.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <thread>

#include "common/fs.h"
#include "common/metrics.h"
#include "common/version.h"
#include "routing/job_queue.h"
#include "web/http_server.h"
#include "web/json_response.h"
#include "web/web_context.h"

namespace atrium::web {
namespace {

// Writes a small file where instances are stored, the way the store writes (fs::writeFileDurably:
// temp, fsync, rename, folder fsync), then removes it: "" or why it could not.
std::string diskWritable(const std::filesystem::path& storage) {
  auto probe = storage / (".healthz-" + std::to_string(::getpid()) + "-" +
                          std::to_string(std::hash<std::thread::id>{}(std::this_thread::get_id())));
  std::error_code ec = fs::writeFileDurably(probe, "ok", 2);
  std::error_code ignored;
  std::filesystem::remove(probe, ignored);
  return ec ? "cannot write to " + storage.string() + ": " + ec.message() : "";
}

}  // namespace

void registerHealthRoutes(HttpServer& http, WebContext& ctx) {
  http.getPublic("/healthz", [&](const httplib::Request&, httplib::Response& res) {
    nlohmann::json body{{"version", version()}};
    bool ok = true;
    try {
      body["instances"] = ctx.archive.index().counts().instances;
      body["index"] = "ok";
    } catch (const std::exception& e) {
      body["index"] = std::string("unreachable: ") + e.what();
      ok = false;
    }
    std::string disk = diskWritable(DataLayout(ctx.config.dataDir).storage);
    body["disk"] = disk.empty() ? "ok" : disk;
    ok = ok && disk.empty();
    body["status"] = ok ? "ok" : "failing";
    sendJson(res, ok ? 200 : 503, body);
  });

  // What each route needs: for integrators, and for the test that walks them all.
  http.get("/api/routes", Role::Viewer, [&http](const httplib::Request&, httplib::Response& res) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : http.routes()) out.push_back({{"method", r.method}, {"pattern", r.pattern}, {"role", r.role}});
    sendJson(res, 200, out);
  });

  http.get("/metrics", Role::Viewer, [&](const httplib::Request&, httplib::Response& res) {
    std::string out = metrics::render();
    out += metrics::gaugeText("atrium_build_info", "the running version", 1,
                              std::string("version=\"") + version() + "\",git=\"" + gitDescription() + "\"");
    out += metrics::gaugeText("atrium_uptime_seconds", "seconds since the server started",
                              std::chrono::duration<double>(std::chrono::steady_clock::now() - ctx.started).count());
    std::error_code ec;
    auto space = std::filesystem::space(ctx.config.dataDir, ec);
    if (!ec) {
      out += metrics::gaugeText("atrium_disk_free_bytes", "bytes free to the archive on the data folder's file system",
                                static_cast<double>(space.available));
      out += metrics::gaugeText("atrium_disk_size_bytes", "size of the data folder's file system",
                                static_cast<double>(space.capacity));
    }
    auto counts = ctx.archive.index().counts();
    out += "# HELP atrium_index_objects objects in the index, by level\n# TYPE atrium_index_objects gauge\n";
    for (auto [level, n] : {std::pair{"patient", counts.patients}, std::pair{"study", counts.studies},
                            std::pair{"series", counts.series}, std::pair{"instance", counts.instances}})
      out += std::string("atrium_index_objects{level=\"") + level + "\"} " + std::to_string(n) + "\n";
    std::map<std::string, int> jobs{{"pending", 0}, {"running", 0}, {"done", 0}, {"failed", 0}, {"cancelled", 0}};
    for (const auto& [state, n] : routing::countJobsByState(ctx.archive.index())) jobs[state] = n;
    out +=
        "# HELP atrium_jobs send-queue jobs, by state (pending and running: the queue depth)\n"
        "# TYPE atrium_jobs gauge\n";
    for (const auto& [state, n] : jobs) out += "atrium_jobs{state=\"" + state + "\"} " + std::to_string(n) + "\n";
    res.status = 200;
    res.set_content(out, "text/plain; version=0.0.4; charset=utf-8");
  });
}

}  // namespace atrium::web
