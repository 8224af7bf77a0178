// WADO-URI (PS3.18 9): /wado?requestType=WADO&studyUID=&seriesUID=&objectUID=&contentType=...
#include <dcmtk/dcmdata/dcfilefo.h>
#include <httplib.h>

#include <fstream>
#include <sstream>

#include "dicom/transcode.h"
#include "web/dicomweb.h"
#include "web/http_server.h"
#include "web/instance_lookup.h"
#include "web/json_response.h"
#include "web/rendering.h"
#include "web/wado_common.h"
#include "web/web_audit.h"
#include "web/web_context.h"

namespace atrium::web {
namespace {

bool number(const std::string& s, double& out) {
  try {
    std::size_t used = 0;
    out = std::stod(s, &used);
    return used == s.size();
  } catch (const std::exception&) {
    return false;
  }
}

void wado(WebContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (req.get_param_value("requestType") != "WADO") return sendError(res, 400, "requestType must be WADO");
  std::string study = req.get_param_value("studyUID"), series = req.get_param_value("seriesUID"),
              object = req.get_param_value("objectUID");
  if (study.empty() || series.empty() || object.empty())
    return sendError(res, 400, "studyUID, seriesUID and objectUID are required");
  auto items = findInstances(ctx, study, series, object);
  if (items.empty()) return sendError(res, 404, "no such object");
  auditRetrieve(ctx, req, items);
  const auto& inst = items[0];
  std::string contentType = req.has_param("contentType") ? req.get_param_value("contentType") : "image/jpeg";
  if (contentType == "application/dicom") {
    std::string ts = req.has_param("transferSyntax") ? req.get_param_value("transferSyntax") : kExplicitLittleEndian;
    std::string bytes;
    if (ts == inst.transferSyntax) {
      std::ifstream in(inst.file, std::ios::binary);
      std::ostringstream os;
      os << in.rdbuf();
      bytes = os.str();
    } else {
      DcmFileFormat ff;
      std::string error;
      if (!dicom::loadInTransferSyntax(inst.file, inst.transferSyntax, ts, ff, error) ||
          !dicom::writePart10(ff, ts, bytes, error))
        return sendError(res, 406, error);
    }
    res.status = 200;
    res.set_content(bytes, "application/dicom");
    return;
  }
  if (contentType != "image/jpeg" && contentType != "image/png")
    return sendError(res, 406, "contentType must be application/dicom, image/jpeg or image/png");
  RenderRequest rq;
  rq.png = contentType == "image/png";
  double v = 0, c = 0;
  if (req.has_param("windowCenter") != req.has_param("windowWidth"))
    return sendError(res, 400, "windowCenter and windowWidth go together");
  if (req.has_param("windowCenter")) {
    if (!number(req.get_param_value("windowCenter"), c) || !number(req.get_param_value("windowWidth"), v) || v <= 0)
      return sendError(res, 400, "windowCenter and windowWidth must be numbers, the width positive");
    rq.windowCenter = c;
    rq.windowWidth = v;
  }
  for (const char* p : {"rows", "columns", "frameNumber", "imageQuality"}) {
    if (!req.has_param(p)) continue;
    if (!number(req.get_param_value(p), v) || v < 1 || v > 8192 || v != static_cast<unsigned>(v))
      return sendError(res, 400, std::string(p) + " must be a positive integer");
    unsigned n = static_cast<unsigned>(v);
    if (std::string(p) == "rows") rq.viewportHeight = n;
    if (std::string(p) == "columns") rq.viewportWidth = n;
    if (std::string(p) == "frameNumber") rq.frame = n;
    if (std::string(p) == "imageQuality") rq.quality = static_cast<int>(std::min(n, 100u));
  }
  auto r = renderFrame(inst.file, inst.transferSyntax, rq);
  if (!r.ok) return sendError(res, r.httpStatus, r.error);
  res.status = 200;
  res.set_content(r.bytes, r.contentType);
}

}  // namespace

void registerWadoUriRoutes(HttpServer& http, WebContext& ctx) {
  http.get("/wado", Role::Viewer, [&](const httplib::Request& req, httplib::Response& res) { wado(ctx, req, res); });
}

}  // namespace atrium::web
