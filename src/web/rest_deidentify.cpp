// POST /api/studies/{uid}/deidentify: a de-identified copy of a stored study as a new study in the
// archive (through the ingest path), for research and teaching files. The project key is the data
// folder's deid.key (made on first use, readable by the archive only); burned-in text regions come
// from the data folder's deid-pixel-regions.json when there is one.
#include <nlohmann/json.hpp>

#include "audit/audit_trail.h"
#include "common/fs.h"
#include "deid/deidentifier.h"
#include "web/http_server.h"
#include "web/instance_lookup.h"
#include "web/json_response.h"
#include "web/web_audit.h"
#include "web/web_context.h"

namespace atrium::web {
void registerDeidentifyRoutes(HttpServer& http, WebContext& ctx) {
  http.post(R"(/api/studies/([0-9.]{1,64})/deidentify)", Role::Admin,
            [&](const httplib::Request& req, httplib::Response& res) {
              nlohmann::json body = nlohmann::json::object();
              if (!req.body.empty() && !parseJsonBody(req, res, body)) return;
              deid::Settings settings;
              if (!body.is_object() || body.value("profile", "basic") != "basic")
                return sendError(res, 400, "the profile is \"basic\" (PS3.15 E.1), with \"options\"");
              for (const auto& o : body.value("options", nlohmann::json::array())) {
                auto opt = o.is_string() ? deid::parseOption(o.get<std::string>()) : std::nullopt;
                if (!opt) return sendError(res, 400, "unknown option " + o.dump());
                settings.options.insert(*opt);
              }
              const std::string study = req.matches[1];
              auto items = findInstances(ctx, study, "", "");
              if (items.empty()) return sendError(res, 404, "no study " + study);
              try {
                deid::useArchiveKeyAndRegions(settings, ctx.config.dataDir);
              } catch (const std::exception& e) {
                return sendError(res, 500, e.what());
              }
              deid::Deidentifier deidentifier(std::move(settings));
              auto& ingestor = ctx.archive.ingestor();
              std::error_code ec;
              std::filesystem::create_directories(ingestor.incomingFolder(), ec);
              std::string newStudy;
              std::size_t stored = 0;
              nlohmann::json failures = nlohmann::json::array();
              for (const auto& item : items) {
                auto temp = fs::uniqueTempPath(ingestor.incomingFolder(), "deid-");
                try {
                  auto r = deidentifier.file(item.file, temp);
                  auto in = ingestor.ingestReceived(temp, "DEIDENTIFY", req.remote_addr);
                  if (!in.success()) {
                    failures.push_back(item.sopUid + ": " + in.message);
                    continue;
                  }
                  newStudy = r.studyUid;
                  ++stored;
                } catch (const std::exception& e) {
                  std::filesystem::remove(temp, ec);
                  failures.push_back(item.sopUid + ": " + e.what());
                }
              }
              auto m = requestMessage(audit::Event::Export, 'R', req);
              m.studyUid = study;
              m.detail = "de-identified copy (" + std::to_string(stored) + " instances) as study " + newStudy;
              audit::record(m);
              nlohmann::json out{{"study", newStudy}, {"instances", stored}, {"failed", failures.size()},
                                 {"failures", failures}};
              sendJson(res, stored == 0 ? 422 : failures.empty() ? 201 : 202, out);
            });
}

}  // namespace atrium::web
