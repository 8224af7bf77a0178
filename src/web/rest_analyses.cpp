// The cardiac analyses of the archive and their versions:
//   GET  /api/analyses[?study=UID]   every version of a study, newest first (who, when, signed);
//                                    without a study, the latest automatic analysis of each
//   GET  /api/analyses/{id}          one version: "results" and "contours" (pixel coordinates)
//   PUT  /api/analyses/{id}          a corrected version from edited contours (editor): measured
//                                    again as `atrium analyze` does, in a worker process, stored
//                                    as new RT Structure Set, SEG, SR and PDF series
//   POST /api/analyses/{id}/preview  the results edited contours give, nothing stored (editor)
//   POST /api/analyses/{id}/sign     the version made final: its SR verified (editor)

#include <fstream>
#include <nlohmann/json.hpp>

#include "cardiac/cine_stack.h"
#include "cardiac/contour_segmentation.h"
#include "cardiac/sr_writer.h"
#include "common/log.h"
#include "index/index_db.h"
#include "routing/analysis_scheduler.h"
#include "routing/analysis_versions.h"
#include "routing/analysis_worker.h"
#include "routing/worker_outputs.h"
#include "web/http_server.h"
#include "web/json_response.h"
#include "web/web_context.h"

namespace atrium::web {
namespace {

std::optional<std::filesystem::path> fileOf(WebContext& ctx, const std::string& sopUid) {
  auto i = ctx.archive.index().findInstance(sopUid);
  if (!i) return std::nullopt;
  return ctx.archive.store().absolutePath(i->path);
}

void list(WebContext& ctx, const httplib::Request& req, httplib::Response& res) {
  nlohmann::json out = nlohmann::json::array();
  const std::string study = req.get_param_value("study");
  if (!study.empty())
    for (const auto& v : routing::analysisVersionsOf(ctx.archive.index(), study))
      out.push_back(routing::versionJson(v));
  // The automatic analysis's state (skipped, failed), where no version says more.
  if (out.empty())
    ctx.archive.index().select(
        "SELECT study_uid,state,finished_at,message,results FROM analyses WHERE ?='' OR study_uid=? "
        "ORDER BY finished_at DESC",
        {study, study}, [&](const index::Statement& r) {
          out.push_back({{"study", r.text(0)},
                         {"state", r.text(1)},
                         {"finished_ms", r.integer(2)},
                         {"message", r.text(3)},
                         {"results", nlohmann::json::parse(r.text(4))}});
          return true;
        });
  sendJson(res, 200, out);
}

std::optional<routing::AnalysisVersion> versionOf(WebContext& ctx, const httplib::Request& req,
                                                  httplib::Response& res) {
  auto v = routing::getAnalysisVersion(ctx.archive.index(), std::stoll(req.matches[1]));
  if (!v) sendError(res, 404, "no analysis version " + std::string(req.matches[1]));
  return v;
}

void get(WebContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto v = versionOf(ctx, req, res);
  if (!v) return;
  auto rt = fileOf(ctx, v->rtstructUid);
  if (!rt) return sendError(res, 410, "the contours of version " + std::to_string(v->id) + " are no longer stored");
  try {
    auto stack = cardiac::loadCineStack(routing::studyMrImages(ctx.archive.index(), ctx.archive.store(), v->study));
    auto out = routing::versionJson(*v);
    out["contours"] = cardiac::contoursFromStructureSet(stack, cardiac::readStructureSet(*rt));
    sendJson(res, 200, out);
  } catch (const std::exception& e) {
    sendError(res, 422, e.what());
  }
}

// PUT (store): a new version from edited contours; preview (no store): the results they give, for
// the viewer to show while a reader edits. Both run `atrium analyze --contours` in a worker.
void correct(WebContext& ctx, const httplib::Request& req, httplib::Response& res, bool store) {
  auto base = versionOf(ctx, req, res);
  if (!base) return;
  nlohmann::json body;
  if (!parseJsonBody(req, res, body)) return;
  if (!body.is_object() || !body.contains("contours"))
    return sendError(res, 400, "the body is {\"contours\": [...]} (as GET returns), with \"ed_phase\"/\"es_phase\"");
  const std::string user = requestUser().empty() ? "unknown" : requestUser();
  auto files = routing::studyMrImages(ctx.archive.index(), ctx.archive.store(), base->study);
  auto predecessor = fileOf(ctx, base->signedSrUid.empty() ? base->srUid : base->signedSrUid);
  if (files.empty() || !predecessor) return sendError(res, 410, "the analysed images or report are no longer stored");
  routing::WorkerFolder work(ctx.archive.ingestor().incomingFolder(), "correction-", files);
  {
    std::ofstream edit(work.dir() / "edit.json");
    edit << body.dump();
  }
  std::vector<std::string> args{"analyze",
                                "--inputs-from",
                                work.inputList().string(),
                                "--contours",
                                (work.dir() / "edit.json").string(),
                                "--observer",
                                user,
                                "--replaces",
                                predecessor->string(),
                                "--based-on",
                                "version " + std::to_string(base->id),
                                "--json"};
  if (store) args.insert(args.end(), {"--out", work.out().string()});
  routing::WorkerLimits limits;
  limits.timeLimitSeconds = 300;
  auto outcome = routing::runWorker(routing::currentExecutable(), args, work.dir(), limits);
  if (outcome.kind != routing::WorkerOutcome::Kind::Exited || outcome.exitCode != 0) {
    std::string why = outcome.describe();
    if (auto p = why.find("atrium analyze: "); p != std::string::npos) why = why.substr(p + 16);
    const bool badContours = outcome.kind == routing::WorkerOutcome::Kind::Exited && outcome.exitCode == 3;
    const bool badInput = outcome.kind == routing::WorkerOutcome::Kind::Exited && outcome.exitCode == 1;
    return sendError(res, badContours ? 400 : badInput ? 422 : 500, why);
  }
  auto result = nlohmann::json::parse(outcome.stdoutText, nullptr, false);
  if (!result.is_object()) return sendError(res, 500, "the correction printed no result");
  if (!store) {
    result.erase("outputs");
    return sendJson(res, 200, {{"results", result}});
  }
  routing::AnalysisVersion v;
  v.study = base->study;
  v.createdBy = user;
  v.replaces = base->id;
  auto outputs = routing::storeWorkerOutputs(ctx.archive, result.value("outputs", nlohmann::json::array()), work.out(),
                                             "ATRIUM-ANALYSIS");
  for (const auto& why : outputs.failures) log::error("corrected analysis: not stored: ", why);
  if (!outputs.complete() || outputs.rtstructUid.empty() || outputs.srUid.empty())
    return sendError(res, 500, "the corrected version could not be stored");
  v.rtstructUid = outputs.rtstructUid;
  v.srUid = outputs.srUid;
  v.outputs = outputs.series;
  result.erase("outputs");
  v.results = result;
  v.id = routing::addAnalysisVersion(ctx.archive.index(), v);
  sendJson(res, 201, routing::versionJson(*routing::getAnalysisVersion(ctx.archive.index(), v.id)));
}

void sign(WebContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto v = versionOf(ctx, req, res);
  if (!v) return;
  if (!v->signedBy.empty())
    return sendError(res, 409,
                     "version " + std::to_string(v->id) + " was signed by " + v->signedBy +
                         "; a signed version is never changed, only superseded (PUT)");
  nlohmann::json body = nlohmann::json::object();
  if (!req.body.empty() && !parseJsonBody(req, res, body)) return;
  const std::string organization = body.is_object() ? body.value("organization", "Atrium") : "Atrium";
  const std::string user = requestUser().empty() ? "unknown" : requestUser();
  auto sr = fileOf(ctx, v->srUid);
  if (!sr) return sendError(res, 410, "the report of version " + std::to_string(v->id) + " is no longer stored");
  routing::WorkerFolder work(ctx.archive.ingestor().incomingFolder(), "sign-");
  try {
    auto out = work.out() / "signed.dcm";
    cardiac::signMeasurementReport(*sr, out, user, organization);
    auto r = ctx.archive.ingestor().ingestReceived(out, "ATRIUM-ANALYSIS");
    if (!r.success()) return sendError(res, 500, "the signed report could not be stored: " + r.message);
    std::string why;
    if (!routing::signAnalysisVersion(ctx.archive.index(), v->id, user, r.sopInstanceUid, &why))
      return sendError(res, why == "already signed" ? 409 : 404, "version " + std::to_string(v->id) + ": " + why);
  } catch (const std::exception& e) {
    return sendError(res, 500, e.what());
  }
  sendJson(res, 200, routing::versionJson(*routing::getAnalysisVersion(ctx.archive.index(), v->id)));
}

}  // namespace

void registerAnalysisRoutes(HttpServer& http, WebContext& ctx) {
  // Who the browser is logged in as: the viewer shows editing to editors and admins only.
  http.get("/api/me", Role::Viewer, [](const httplib::Request&, httplib::Response& res) {
    sendJson(res, 200, {{"user", requestUser()}, {"role", roleName(requestRole())}});
  });
  http.get("/api/analyses", Role::Viewer, [&](const httplib::Request& q, httplib::Response& r) { list(ctx, q, r); });
  const std::string one = R"(/api/analyses/([0-9]{1,18}))";
  http.get(one, Role::Viewer, [&](const httplib::Request& q, httplib::Response& r) { get(ctx, q, r); });
  http.put(one, Role::Editor, [&](const httplib::Request& q, httplib::Response& r) { correct(ctx, q, r, true); });
  http.post(one + "/preview", Role::Editor,
            [&](const httplib::Request& q, httplib::Response& r) { correct(ctx, q, r, false); });
  http.post(one + "/sign", Role::Editor, [&](const httplib::Request& q, httplib::Response& r) { sign(ctx, q, r); });
}

}  // namespace atrium::web
