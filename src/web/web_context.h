#pragma once
// What the HTTP routes work on: the archive (index, files, peers) and the send queue's worker.
#include <chrono>

#include "archive/archive.h"
#include "config/config.h"

namespace atrium::routing {
class Forwarder;
}

namespace atrium::web {

struct WebContext {
  const Config& config;
  Archive& archive;
  routing::Forwarder* forwarder = nullptr;  // woken when a job is added or retried
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

class HttpServer;
void registerAdminRoutes(HttpServer& http, WebContext& ctx);     // /api/status, peers, deletions
void registerAuditRoutes(HttpServer& http, WebContext& ctx);     // /api/audit
void registerWorklistRoutes(HttpServer& http, WebContext& ctx);  // /api/worklist
void registerJobRoutes(HttpServer& http, WebContext& ctx);       // /api/jobs, /api/push
void registerViewerRoutes(HttpServer& http, WebContext& ctx);    // the viewer's files at /
void registerHealthRoutes(HttpServer& http, WebContext& ctx);    // /healthz, /metrics, /api/routes
void registerMediaRoutes(HttpServer& http, WebContext& ctx);     // study ZIP download, /api/import
void registerCorrectionRoutes(HttpServer& http, WebContext& ctx);  // PATCH studies, merge, move series, history
void registerDeidentifyRoutes(HttpServer& http, WebContext& ctx);  // POST /api/studies/{uid}/deidentify
void registerDoseRoutes(HttpServer& http, WebContext& ctx);         // GET /api/dose
void registerFlowRoutes(HttpServer& http, WebContext& ctx);         // GET/POST /api/studies/{uid}/flow
void registerAnalysisRoutes(HttpServer& http, WebContext& ctx);     // /api/analyses: versions, correction, sign-off
// All of the above and the DICOMweb routes (dicomweb.h): what `serve` offers.
void registerAllRoutes(HttpServer& http, WebContext& ctx);

}  // namespace atrium::web
