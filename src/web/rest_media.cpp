// GET /api/studies/{uid}/archive: a study as a ZIP (with ?media=1 a DICOMDIR file-set inside);
// POST /api/import: a ZIP of media or folders, or one DICOM file, into the archive.
#include <httplib.h>

#include <cstdio>

#include "common/fs.h"
#include "common/log.h"
#include "dicom/instance_reader.h"
#include "media/export_selection.h"
#include "media/file_set_writer.h"
#include "media/importer.h"
#include "media/zip_archive.h"
#include "web/http_server.h"
#include "web/json_response.h"
#include "web/web_audit.h"
#include "web/web_context.h"

namespace atrium::web {
namespace {

// A temp folder for a file-set, removed with this object.
struct TempFolder {
  std::filesystem::path path;
  ~TempFolder() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
};

void download(WebContext& ctx, const httplib::Request& req, httplib::Response& res) {
  const std::string uid = req.matches[1];
  const bool asMedia = req.get_param_value("media") == "1";
  std::vector<std::string> unknown;
  auto items = media::selectForExport(ctx.archive.index(), ctx.archive.store(), {uid}, {}, unknown);
  if (items.empty()) return sendError(res, 404, "no study " + uid);
  auto folder = std::make_shared<TempFolder>();
  if (asMedia) {
    folder->path = fs::uniqueTempPath(ctx.archive.ingestor().incomingFolder(), "media-");
    try {
      auto report = media::writeFileSet(items, folder->path, media::MediaProfile::GeneralCd, "ATRIUM");
      for (const auto& f : report.failures) log::warn("download of study ", uid, ": left out ", f);
    } catch (const std::exception& e) {
      return sendError(res, 500, std::string("cannot make the file-set: ") + e.what());
    }
  }
  auto m = requestMessage(audit::Event::Export, 'R', req);
  media::auditExport(items, m.user, m.address, asMedia ? "download (ZIP with DICOMDIR)" : "download (ZIP)");
  res.status = 200;
  res.set_header("Content-Disposition", "attachment; filename=\"study-" + uid + ".zip\"");
  res.set_chunked_content_provider(
      "application/zip", [items = std::move(items), folder, uid](std::size_t, httplib::DataSink& sink) {
        try {
          media::ZipWriter zip([&](const char* d, std::size_t n) { return sink.write(d, n); });
          if (!folder->path.empty())
            media::writeZipOfFolder(folder->path, zip);
          else
            media::writeZip(items, zip);
          zip.finish();
        } catch (const std::exception& e) {
          // The status is sent already: the client sees a truncated ZIP; the reason is logged.
          log::warn("download of study ", uid, " broken off: ", e.what());
          return false;
        }
        sink.done();
        return true;
      });
}

void importUpload(WebContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const httplib::ContentReader& reader) {
  const std::size_t limit = bodyLimit(ctx.config);
  if (refuseAnnouncedBody(req, res, limit)) return;
  auto incoming = ctx.archive.ingestor().incomingFolder();
  std::error_code ec;
  std::filesystem::create_directories(incoming, ec);
  auto temp = fs::uniqueTempPath(incoming, "upload-");
  FILE* out = std::fopen(temp.c_str(), "wb");
  if (!out) return sendError(res, 500, "cannot receive the upload (incoming folder not writable)");
  std::size_t total = 0;
  bool tooLarge = false, writeFailed = false;
  bool received = reader([&](const char* d, std::size_t n) {
    total += n;
    if (total > limit) return !(tooLarge = true);
    if (std::fwrite(d, 1, n, out) != n) return !(writeFailed = true);
    return true;
  });
  bool closed = std::fclose(out) == 0;
  if (tooLarge || writeFailed || !received || !closed || total == 0) {
    std::filesystem::remove(temp, ec);
    if (tooLarge) return sendError(res, 413, "upload larger than max_body_mb");
    if (total == 0 && received) return sendError(res, 400, "empty upload: send a ZIP or a DICOM file as the body");
    return sendError(res, writeFailed || !closed ? 507 : 400, "upload not received completely");
  }
  if (!media::looksLikeZip(temp) && !media::hasPart10Magic(temp) && !dicom::readFileMeta(temp).ok) {
    std::filesystem::remove(temp, ec);
    return sendError(res, 415, "the upload is neither a ZIP nor a DICOM Part 10 file");
  }
  auto m = requestMessage(audit::Event::Import, 'C', req);
  media::Importer importer(ctx.archive.ingestor(), "IMPORT", req.remote_addr);
  media::ImportReport report;
  const std::string name = req.has_param("name") ? req.get_param_value("name") : "upload";
  importer.importReceived(temp, name, report);
  media::auditImport(report, m.user, m.address, "an upload by " + m.user);
  nlohmann::json studies = nlohmann::json::array();
  for (const auto& [uid, s] : report.studies)
    studies.push_back({{"study_instance_uid", uid}, {"patient_id", s.patientId}, {"instances", s.instances}});
  nlohmann::json body{{"stored", report.stored},   {"duplicates", report.duplicates},
                      {"skipped", report.skipped}, {"failed", report.failures.size()},
                      {"failures", report.failures}, {"studies", studies}};
  // 200: all in; 202: some refused (named); 409: nothing could be stored.
  int status = report.failures.empty() ? 200 : report.studies.empty() ? 409 : 202;
  if (report.failures.empty() && report.studies.empty()) {
    status = 400;
    body["error"] = "the upload holds no DICOM file";
  }
  sendJson(res, status, body);
}

}  // namespace

void registerMediaRoutes(HttpServer& http, WebContext& ctx) {
  http.get(R"(/api/studies/([0-9.]{1,64})/archive)", Role::Viewer,
           [&](const httplib::Request& req, httplib::Response& res) { download(ctx, req, res); });
  http.postStreaming("/api/import", Role::Admin,
                     [&](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
                       importUpload(ctx, req, res, reader);
                     });
}

}  // namespace atrium::web
