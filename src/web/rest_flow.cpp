// GET /api/studies/{uid}/flow: the phase-contrast flow of a stored study (the JSON of
// `atrium flow --json`); POST: the same, and its outputs (ROI, SR, PDF) stored in the study.
// The measurement runs as `atrium flow` in a worker process, as the cardiac analysis does: whatever
// it does (crash, hang, memory) ends there and comes back as an error, never in the archive.
#include <nlohmann/json.hpp>

#include "routing/analysis_scheduler.h"
#include "routing/analysis_worker.h"
#include "routing/worker_outputs.h"
#include "web/http_server.h"
#include "web/json_response.h"
#include "web/web_context.h"

namespace atrium::web {
namespace {

void measure(WebContext& ctx, const httplib::Request& req, httplib::Response& res, bool store) {
  const std::string study = req.matches[1];
  auto files = routing::studyMrImages(ctx.archive.index(), ctx.archive.store(), study);
  if (files.empty()) return sendError(res, 404, "no MR image of study " + study + " is stored");
  routing::WorkerFolder work(ctx.archive.ingestor().incomingFolder(), "flow-", files);
  std::vector<std::string> args{"flow", "--inputs-from", work.inputList().string(), "--json"};
  if (store) args.insert(args.end(), {"--out", work.out().string()});
  routing::WorkerLimits limits;
  limits.timeLimitSeconds = 120;
  limits.memoryMb = 2048;
  auto outcome = routing::runWorker(routing::currentExecutable(), args, work.dir(), limits);
  if (outcome.kind != routing::WorkerOutcome::Kind::Exited || outcome.exitCode != 0) {
    // exit 1: the input is not a usable phase-contrast acquisition (its one line says why).
    const int status = outcome.kind == routing::WorkerOutcome::Kind::Exited && outcome.exitCode == 1 ? 422 : 500;
    std::string why = outcome.describe();
    if (auto p = why.find("atrium flow: "); p != std::string::npos) why = why.substr(p + 13);
    return sendError(res, status, why);
  }
  auto result = nlohmann::json::parse(outcome.stdoutText, nullptr, false);
  if (!result.is_object()) return sendError(res, 500, "the flow measurement printed no result");
  if (store) {
    const int stored = routing::storeWorkerOutputs(ctx.archive, result.value("outputs", nlohmann::json::array()),
                                                   work.out(), "ATRIUM-FLOW")
                           .stored;
    result["stored"] = stored;
    result.erase("outputs");
    return sendJson(res, stored ? 201 : 500, result);
  }
  result.erase("outputs");
  sendJson(res, 200, result);
}

}  // namespace

void registerFlowRoutes(HttpServer& http, WebContext& ctx) {
  const std::string path = R"(/api/studies/([0-9.]{1,64})/flow)";
  http.get(path, Role::Viewer,
           [&](const httplib::Request& req, httplib::Response& res) { measure(ctx, req, res, false); });
  http.post(path, Role::Admin,
            [&](const httplib::Request& req, httplib::Response& res) { measure(ctx, req, res, true); });
}

}  // namespace atrium::web
