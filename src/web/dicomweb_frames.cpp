// WADO-RS frames and rendered resources: /frames/{list} (uncompressed, or as stored on request),
// /rendered and /thumbnail of instances and frames.
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <httplib.h>

#include <sstream>

#include "dicom/transcode.h"
#include "dicom/transfer_syntax.h"
#include "web/dicomweb.h"
#include "web/http_server.h"
#include "web/instance_lookup.h"
#include "web/json_response.h"
#include "web/media_type.h"
#include "web/multipart.h"
#include "web/rendering.h"
#include "web/wado_common.h"
#include "web/web_audit.h"
#include "web/web_context.h"

namespace atrium::web {
namespace {

// "1,3,5" → {1,3,5}; false on anything else.
bool parseFrameList(const std::string& s, std::vector<unsigned>& out) {
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty() || item.size() > 9 || item.find_first_not_of("0123456789") != std::string::npos) return false;
    unsigned n = static_cast<unsigned>(std::stoul(item));
    if (n == 0) return false;
    out.push_back(n);
  }
  return !out.empty();
}

// The stored compressed bytes of each frame, when fragments map one-to-one onto frames (or the
// instance has a single frame).
bool storedFrames(DcmDataset& ds, long frames, std::vector<std::string>& out) {
  DcmElement* el = nullptr;
  if (ds.findAndGetElement(DCM_PixelData, el).bad()) return false;
  DcmPixelSequence* seq = nullptr;
  E_TransferSyntax xfer = ds.getOriginalXfer();
  if (static_cast<DcmPixelData*>(el)->getEncapsulatedRepresentation(xfer, nullptr, seq).bad() || !seq) return false;
  unsigned long fragments = seq->card() - 1;  // item 0 is the offset table
  auto fragment = [&](unsigned long i) {
    DcmPixelItem* item = nullptr;
    seq->getItem(item, i);
    Uint8* p = nullptr;
    item->getUint8Array(p);
    return std::string(reinterpret_cast<char*>(p), item->getLength());
  };
  if (frames <= 1) {
    std::string all;
    for (unsigned long i = 1; i <= fragments; ++i) all += fragment(i);
    out.push_back(all);
    return true;
  }
  if (static_cast<long>(fragments) != frames) return false;
  for (unsigned long i = 1; i <= fragments; ++i) out.push_back(fragment(i));
  return true;
}

void retrieveFrames(WebContext& ctx, const httplib::Request& req, httplib::Response& res) {
  std::vector<unsigned> wanted;
  if (!parseFrameList(req.matches[4], wanted))
    return sendError(res, 400, "frame list must be numbers from 1, e.g. 1,3");
  // Accept: application/octet-stream (uncompressed, the default) or transfer-syntax=* (as stored).
  bool asStored = false;
  auto ranges = parseMediaRanges(req.get_header_value("Accept"));
  bool acceptable = ranges.empty();
  for (const auto& r : ranges) {
    bool octets =
        r.type == "*/*" || r.type == "application/octet-stream" ||
        (r.type == "multipart/related" && (r.param("type").empty() || r.param("type") == "application/octet-stream"));
    if (!octets) continue;
    acceptable = true;
    std::string t = r.param("transfer-syntax");
    asStored = t == "*";
    if (!t.empty() && t != "*" && t != kExplicitLittleEndian) acceptable = false;
    if (acceptable) break;
  }
  if (!acceptable) return sendError(res, 406, "frames are application/octet-stream, uncompressed or transfer-syntax=*");
  auto items = findInstances(ctx, req.matches[1], req.matches[2], req.matches[3]);
  if (items.empty()) return sendError(res, 404, "no such instance");
  auditRetrieve(ctx, req, items);
  const auto& inst = items[0];

  DcmFileFormat ff;
  std::string error;
  std::vector<std::string> frames;
  std::string partType = "application/octet-stream; transfer-syntax=" + std::string(kExplicitLittleEndian);
  if (dicom::isVideoTransferSyntax(inst.transferSyntax) && !asStored)
    return sendError(res, 406, "the instance is a video (" + inst.transferSyntax +
                                   "): its frames exist only as the stored stream; ask for transfer-syntax=*");
  bool compressed = inst.transferSyntax != kExplicitLittleEndian && inst.transferSyntax != "1.2.840.10008.1.2" &&
                    inst.transferSyntax != "1.2.840.10008.1.2.2" && inst.transferSyntax != "1.2.840.10008.1.2.1.99";
  long count = 1;
  if (asStored && compressed && ff.loadFile(inst.file.c_str()).good()) {
    ff.getDataset()->findAndGetLongInt(DCM_NumberOfFrames, count);
    if (storedFrames(*ff.getDataset(), count, frames))
      partType = "application/octet-stream; transfer-syntax=" + inst.transferSyntax;
  }
  if (frames.empty()) {
    if (!dicom::loadInTransferSyntax(inst.file, inst.transferSyntax, kExplicitLittleEndian, ff, error))
      return sendError(res, 500, error);
    DcmDataset* ds = ff.getDataset();
    Uint16 rows = 0, cols = 0, bits = 0, spp = 1;
    ds->findAndGetUint16(DCM_Rows, rows);
    ds->findAndGetUint16(DCM_Columns, cols);
    ds->findAndGetUint16(DCM_BitsAllocated, bits);
    ds->findAndGetUint16(DCM_SamplesPerPixel, spp);
    ds->findAndGetLongInt(DCM_NumberOfFrames, count);
    const Uint8* pixels = nullptr;
    unsigned long length = 0;
    if (ds->findAndGetUint8Array(DCM_PixelData, pixels, &length).bad() || !pixels)
      return sendError(res, 404, "the instance has no pixel data");
    std::size_t frameSize = std::size_t(rows) * cols * spp * bits / 8;
    count = std::max(count, 1L);
    for (long f = 0; f < count && (f + 1) * frameSize <= length; ++f)
      frames.emplace_back(reinterpret_cast<const char*>(pixels) + f * frameSize, frameSize);
  }
  std::string boundary = newBoundary(), body;
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    if (wanted[i] > frames.size())
      return sendError(
          res, 404,
          "no frame " + std::to_string(wanted[i]) + " (the instance has " + std::to_string(frames.size()) + ")");
    body += (i ? "\r\n" : "") + partHeader(boundary, partType) + frames[wanted[i] - 1];
  }
  body += closingDelimiter(boundary);
  res.status = 200;
  res.set_content(body, "multipart/related; type=\"application/octet-stream\"; boundary=" + boundary);
}

bool parseNumbers(const std::string& s, std::vector<double>& out) {
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    try {
      std::size_t used = 0;
      out.push_back(std::stod(item, &used));
      if (used != item.size()) return false;
    } catch (const std::exception&) {
      if (out.size() >= 2) return true;  // the window's third value is a function name
      return false;
    }
  }
  return true;
}

void rendered(WebContext& ctx, const httplib::Request& req, httplib::Response& res, unsigned frame, bool thumbnail) {
  RenderRequest rq;
  rq.frame = frame;
  std::string accept = req.has_param("accept") ? req.get_param_value("accept") : req.get_header_value("Accept");
  bool jpeg = accept.empty(), png = false;
  for (const auto& r : parseMediaRanges(accept)) {
    if (r.type == "image/png") png = true;
    if (r.type == "image/jpeg" || r.type == "*/*" || r.type == "image/*") jpeg = true;
  }
  if (!jpeg && !png) return sendError(res, 406, "rendered images are image/jpeg or image/png");
  rq.png = png && !(jpeg && parseMediaRanges(accept).at(0).type != "image/png");
  if (req.has_param("window")) {
    std::vector<double> w;
    if (!parseNumbers(req.get_param_value("window"), w) || w.size() < 2 || w[1] <= 0)
      return sendError(res, 400, "window must be center,width[,function] with a positive width");
    rq.windowCenter = w[0];
    rq.windowWidth = w[1];
  }
  if (req.has_param("viewport")) {
    std::vector<double> v;
    if (!parseNumbers(req.get_param_value("viewport"), v) || v.size() < 2 || v[0] < 1 || v[1] < 1 || v[0] > 8192 ||
        v[1] > 8192)
      return sendError(res, 400, "viewport must be width,height (1-8192)");
    rq.viewportWidth = static_cast<unsigned>(v[0]);
    rq.viewportHeight = static_cast<unsigned>(v[1]);
  } else if (thumbnail) {
    rq.viewportWidth = rq.viewportHeight = 128;
  }
  if (req.has_param("quality")) {
    std::vector<double> q;
    if (!parseNumbers(req.get_param_value("quality"), q) || q.size() != 1 || q[0] < 1 || q[0] > 100)
      return sendError(res, 400, "quality must be 1-100");
    rq.quality = static_cast<int>(q[0]);
  }
  auto items = findInstances(ctx, req.matches[1], req.matches[2], req.matches[3]);
  if (items.empty()) return sendError(res, 404, "no such instance");
  auditRetrieve(ctx, req, items);
  auto r = renderFrame(items[0].file, items[0].transferSyntax, rq);
  if (!r.ok) return sendError(res, r.httpStatus, r.error);
  res.status = 200;
  res.set_content(r.bytes, r.contentType);
}

}  // namespace

void registerFrameRoutes(HttpServer& http, WebContext& ctx) {
  const std::string uid = "([0-9.]{1,64})";
  const std::string instance = "/dicom-web/studies/" + uid + "/series/" + uid + "/instances/" + uid;
  http.get(instance + "/frames/([0-9,]{1,256})", Role::Viewer,
           [&](const httplib::Request& req, httplib::Response& res) { retrieveFrames(ctx, req, res); });
  http.get(instance + "/rendered", Role::Viewer,
           [&](const httplib::Request& req, httplib::Response& res) { rendered(ctx, req, res, 1, false); });
  http.get(instance + "/thumbnail", Role::Viewer,
           [&](const httplib::Request& req, httplib::Response& res) { rendered(ctx, req, res, 1, true); });
  http.get(instance + "/frames/([0-9]{1,9})/rendered", Role::Viewer,
           [&](const httplib::Request& req, httplib::Response& res) {
             rendered(ctx, req, res, static_cast<unsigned>(std::stoul(req.matches[4])), false);
           });
  http.get(instance + "/frames/([0-9]{1,9})/thumbnail", Role::Viewer,
           [&](const httplib::Request& req, httplib::Response& res) {
             rendered(ctx, req, res, static_cast<unsigned>(std::stoul(req.matches[4])), true);
           });
}

}  // namespace atrium::web
