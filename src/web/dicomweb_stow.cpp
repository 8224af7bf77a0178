// STOW-RS (PS3.18 10.5): multipart/related application/dicom bodies, streamed part by part to disk
// and stored through the same ingest path as C-STORE (same checks, durability and index).
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <httplib.h>

#include <cstdio>
#include <memory>

#include "common/fs.h"
#include "common/log.h"
#include "dicom/text.h"
#include "web/dicomweb.h"
#include "web/http_server.h"
#include "web/json_response.h"
#include "web/media_type.h"
#include "web/multipart.h"
#include "web/web_context.h"

namespace atrium::web {
namespace {

constexpr std::uint16_t kOutOfResources = 0xA700;
constexpr std::uint16_t kDoesNotMatch = 0xA900;
constexpr std::uint16_t kCannotUnderstand = 0xC000;

struct Outcome {
  std::string sopClass, sopUid, studyUid;
  std::uint16_t failure = 0;  // 0: stored
  std::string why;
};

std::uint16_t failureFor(ingest::IngestStatus s) {
  switch (s) {
    case ingest::IngestStatus::OutOfResources:
      return kOutOfResources;
    case ingest::IngestStatus::UidMismatch:
      return kDoesNotMatch;
    default:
      return kCannotUnderstand;
  }
}

// One received part: refuse what is not for this study (URL) before it is stored.
Outcome ingestPart(WebContext& ctx, const std::filesystem::path& temp, const std::string& requiredStudy,
                   const std::string& from) {
  Outcome o;
  if (!requiredStudy.empty()) {
    DcmFileFormat ff;
    std::error_code ec;
    if (ff.loadFileUntilTag(temp.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_fileOnly,
                            DCM_SeriesInstanceUID)
            .bad()) {
      std::filesystem::remove(temp, ec);
      o.failure = kCannotUnderstand;
      o.why = "not a DICOM Part 10 file";
      return o;
    }
    o.studyUid = dicom::trim(dicom::getRaw(*ff.getDataset(), DCM_StudyInstanceUID));
    o.sopUid = dicom::trim(dicom::getRaw(*ff.getDataset(), DCM_SOPInstanceUID));
    o.sopClass = dicom::trim(dicom::getRaw(*ff.getDataset(), DCM_SOPClassUID));
    if (o.studyUid != requiredStudy) {
      std::filesystem::remove(temp, ec);
      o.failure = kDoesNotMatch;
      o.why = "Study Instance UID '" + o.studyUid + "' is not the study of the URL";
      return o;
    }
  }
  auto r = ctx.archive.ingestor().ingestReceived(temp, "STOW-RS", from);
  o.sopClass = r.sopClassUid.empty() ? o.sopClass : r.sopClassUid;
  o.sopUid = r.sopInstanceUid.empty() ? o.sopUid : r.sopInstanceUid;
  if (!r.success()) {
    o.failure = failureFor(r.status);
    o.why = r.message;
  }
  return o;
}

void store(WebContext& ctx, const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader,
           const std::string& requiredStudy) {
  auto ct = parseMediaRanges(req.get_header_value("Content-Type"));
  if (ct.empty() || ct[0].type != "multipart/related" ||
      (!ct[0].param("type").empty() && ct[0].param("type") != "application/dicom"))
    return sendError(res, 415, "STOW-RS takes multipart/related; type=\"application/dicom\"");
  std::string boundary = ct[0].param("boundary");
  if (boundary.empty()) return sendError(res, 400, "multipart/related without a boundary");

  auto incoming = ctx.archive.ingestor().incomingFolder();
  std::error_code ec;
  std::filesystem::create_directories(incoming, ec);
  std::vector<Outcome> outcomes;
  std::filesystem::path temp;
  FILE* out = nullptr;
  bool diskError = false;
  MultipartReader mp(boundary, {[&](const std::map<std::string, std::string>& h) {
                                  auto it = h.find("content-type");
                                  auto ranges = parseMediaRanges(it == h.end() ? "" : it->second);
                                  std::string type = ranges.empty() ? "" : ranges[0].type;
                                  if (!type.empty() && type != "application/dicom") {
                                    outcomes.push_back({"", "", "", kCannotUnderstand, "part is " + type});
                                    temp.clear();
                                    return true;  // its bytes are skipped
                                  }
                                  temp = fs::uniqueTempPath(incoming, "stow-");
                                  out = std::fopen(temp.c_str(), "wb");
                                  if (!out) diskError = true;
                                  return out != nullptr;
                                },
                                [&](const char* d, std::size_t n) {
                                  if (!out) return true;
                                  if (std::fwrite(d, 1, n, out) != n) {
                                    diskError = true;
                                    return false;
                                  }
                                  return true;
                                },
                                [&] {
                                  if (!out) return true;
                                  bool ok = std::fclose(out) == 0;
                                  out = nullptr;
                                  if (!ok) {
                                    diskError = true;
                                    return false;
                                  }
                                  outcomes.push_back(ingestPart(ctx, temp, requiredStudy, req.remote_addr));
                                  return true;
                                }});
  // Bodies past the limit are refused, announced (Content-Length) or found out while streaming.
  const std::size_t limit = bodyLimit(ctx.config);
  if (refuseAnnouncedBody(req, res, limit)) return;
  std::size_t total = 0;
  bool tooLarge = false;
  bool received = reader([&](const char* d, std::size_t n) {
    total += n;
    if (total > limit) {
      tooLarge = true;
      return false;
    }
    return mp.feed(d, n);
  });
  if (out) {
    std::fclose(out);
    std::filesystem::remove(temp, ec);
  }
  std::size_t stored = 0;
  for (const auto& o : outcomes) stored += o.failure == 0;
  if (tooLarge)
    return sendError(res, 413,
                     "request body too large; " + std::to_string(stored) + " instances stored before the limit");
  if (diskError) return sendError(res, 507, "cannot write the request to disk; " + std::to_string(stored) + " stored");
  if (!received || !mp.finished())
    return sendError(res, 400,
                     "malformed multipart body (" +
                         (mp.error().empty() ? std::string("no closing boundary") : mp.error()) + "); " +
                         std::to_string(stored) + " instances stored before it");
  if (outcomes.empty()) return sendError(res, 400, "no application/dicom part in the body");

  std::string base = baseUrl(req);
  nlohmann::json body = nlohmann::json::object();
  nlohmann::json refs = nlohmann::json::array(), failed = nlohmann::json::array();
  auto ui = [](const std::string& v) { return nlohmann::json{{"vr", "UI"}, {"Value", {v}}}; };
  for (const auto& o : outcomes) {
    if (o.failure == 0) {
      refs.push_back({{"00081150", ui(o.sopClass)}, {"00081155", ui(o.sopUid)}});
    } else {
      nlohmann::json item = {{"00081197", {{"vr", "US"}, {"Value", {o.failure}}}}};
      if (!o.sopClass.empty()) item["00081150"] = ui(o.sopClass);
      if (!o.sopUid.empty()) item["00081155"] = ui(o.sopUid);
      failed.push_back(item);
      log::warn("STOW-RS: ", o.sopUid.empty() ? "a part" : o.sopUid, " not stored: ", o.why);
    }
  }
  if (!requiredStudy.empty()) body["00081190"] = {{"vr", "UR"}, {"Value", {base + "/studies/" + requiredStudy}}};
  if (!refs.empty()) body["00081199"] = {{"vr", "SQ"}, {"Value", refs}};
  if (!failed.empty()) body["00081198"] = {{"vr", "SQ"}, {"Value", failed}};
  int status = failed.empty() ? 200 : refs.empty() ? 409 : 202;
  log::info("STOW-RS: ", refs.size(), " stored, ", failed.size(), " failed");
  res.status = status;
  res.set_content(jsonText(body), "application/dicom+json");
}

}  // namespace

void registerStowRoutes(HttpServer& http, WebContext& ctx) {
  http.postStreaming("/dicom-web/studies", Role::Admin,
                     [&](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
                       store(ctx, req, res, reader, "");
                     });
  http.postStreaming("/dicom-web/studies/([0-9.]{1,64})", Role::Admin,
                     [&](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
                       store(ctx, req, res, reader, req.matches[1]);
                     });
}

}  // namespace atrium::web
