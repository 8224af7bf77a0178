// Correcting stored data over REST (admin): PATCH /api/studies/{uid} (a DICOM JSON object of the
// patient and study attributes to change), POST /api/patients/merge, POST /api/series/{uid}/move;
// GET /api/studies/{uid}/history lists what was changed, by whom and when.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcelem.h>

#include <nlohmann/json.hpp>

#include "archive/data_correction.h"
#include "dicom/dicom_json.h"
#include "dicom/indexed_attributes.h"
#include "index/modification_log.h"
#include "routing/forwarder.h"
#include "routing/job_queue.h"
#include "web/http_server.h"
#include "web/json_response.h"
#include "web/web_audit.h"
#include "web/web_context.h"

namespace atrium::web {
namespace {

int statusOf(const CorrectionError& e) {
  switch (e.kind) {
    case CorrectionError::Kind::NotFound:
      return 404;
    case CorrectionError::Kind::Invalid:
      return 400;
    case CorrectionError::Kind::Failed:
      return 500;
  }
  return 500;
}

Actor actorOf(const httplib::Request& req) {
  auto m = requestMessage(audit::Event::PatientRecord, 'U', req);
  return {m.user, m.address};
}

// The DICOM JSON object's attributes as changes (values in UTF-8, PN groups joined by '=').
AttributeChanges changesOf(const nlohmann::json& body) {
  DcmDataset ds;
  try {
    dicom::fromDicomJson(body, ds);
  } catch (const std::exception& e) {
    throw CorrectionError(CorrectionError::Kind::Invalid, e.what());
  }
  AttributeChanges changes;
  for (unsigned long i = 0; i < ds.card(); ++i) {
    DcmElement* e = ds.getElement(i);
    const DcmTagKey key = e->getTag();
    const dicom::IndexedAttribute* attribute = nullptr;
    for (const auto& a : dicom::indexedAttributes())
      if (a.group == key.getGroup() && a.element == key.getElement()) attribute = &a;
    if (!attribute)
      throw CorrectionError(CorrectionError::Kind::Invalid,
                            dicom::describeTag(key.getGroup(), key.getElement()) + " cannot be changed");
    OFString value;
    e->getOFStringArray(value);
    changes.push_back(checkedChange(attribute->keyword, value.c_str()));
  }
  return changes;
}

nlohmann::json resultJson(const CorrectionResult& r) {
  return {{"modification", r.modification}, {"study", r.studyUid}, {"instances", r.instances}};
}

// ?resend=1: the corrected study goes again to every peer that had received it.
nlohmann::json resend(WebContext& ctx, const httplib::Request& req, const std::string& study) {
  nlohmann::json to = nlohmann::json::array();
  if (req.get_param_value("resend") != "1") return to;
  for (const auto& peer : routing::destinationsThatReceived(ctx.archive.index(), study)) {
    routing::createPushJob(ctx.archive.index(), study, peer, ctx.config.retry);
    to.push_back(peer);
  }
  if (ctx.forwarder && !to.empty()) ctx.forwarder->wake();
  return to;
}

template <typename F>
void corrected(httplib::Response& res, F&& work) {
  try {
    work();
  } catch (const CorrectionError& e) {
    sendError(res, statusOf(e), e.what());
  }
}

}  // namespace

void registerCorrectionRoutes(HttpServer& http, WebContext& ctx) {
  http.patch(R"(/api/studies/([0-9.]{1,64}))", Role::Admin, [&](const httplib::Request& req, httplib::Response& res) {
    nlohmann::json body;
    if (!parseJsonBody(req, res, body)) return;
    corrected(res, [&] {
      const std::string study = req.matches[1];
      auto r = DataCorrection(ctx.archive).modifyStudy(study, changesOf(body), actorOf(req));
      auto out = resultJson(r);
      out["resent_to"] = resend(ctx, req, study);
      sendJson(res, 200, out);
    });
  });
  http.get(R"(/api/studies/([0-9.]{1,64})/history)", Role::Viewer,
           [&](const httplib::Request& req, httplib::Response& res) {
             nlohmann::json list = nlohmann::json::array();
             for (const auto& m : index::modificationsOf(ctx.archive.index(), req.matches[1]))
               list.push_back({{"modification", m.id},
                               {"at_ms", m.at},
                               {"user", m.user},
                               {"address", m.address},
                               {"kind", m.kind},
                               {"study", m.studyUid},
                               {"detail", nlohmann::json::parse(m.detail, nullptr, false)}});
             sendJson(res, 200, list);
           });
  http.post("/api/patients/merge", Role::Admin, [&](const httplib::Request& req, httplib::Response& res) {
    nlohmann::json body;
    if (!parseJsonBody(req, res, body)) return;
    if (!body.is_object() || !body.contains("from") || !body.contains("into") || !body["from"].is_string() ||
        !body["into"].is_string())
      return sendError(res, 400, "a merge is {\"from\": Patient ID, \"into\": Patient ID}");
    corrected(res, [&] {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& r : DataCorrection(ctx.archive).mergePatients(body["from"], body["into"], actorOf(req))) {
        auto one = resultJson(r);
        one["resent_to"] = resend(ctx, req, r.studyUid);
        out.push_back(one);
      }
      sendJson(res, 200, out);
    });
  });
  http.post(R"(/api/series/([0-9.]{1,64})/move)", Role::Admin, [&](const httplib::Request& req, httplib::Response& res) {
    nlohmann::json body = nlohmann::json::object();
    if (!req.body.empty() && !parseJsonBody(req, res, body)) return;
    if (!body.is_object() || (body.contains("study") && !body["study"].is_string() && !body["study"].is_null()))
      return sendError(res, 400, "a move is {\"study\": Study Instance UID} (no study: a new one)");
    std::string target = body.contains("study") && body["study"].is_string() ? std::string(body["study"]) : "";
    corrected(res, [&] {
      auto r = DataCorrection(ctx.archive).moveSeries(req.matches[1], target, actorOf(req));
      auto out = resultJson(r);
      out["resent_to"] = resend(ctx, req, r.studyUid);
      sendJson(res, 200, out);
    });
  });
}

}  // namespace atrium::web
