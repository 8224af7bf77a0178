// WADO-RS (PS3.18 10.4): instances as multipart/related application/dicom (stored bytes when the
// client takes the stored transfer syntax, else transcoded), metadata as DICOM JSON with bulk data
// by URI, and the bulk data itself.
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcjson.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <httplib.h>

#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include "common/log.h"
#include "dicom/transcode.h"
#include "web/dicomweb.h"
#include "web/http_server.h"
#include "web/instance_lookup.h"
#include "web/json_response.h"
#include "web/media_type.h"
#include "web/multipart.h"
#include "web/wado_common.h"
#include "web/web_audit.h"
#include "web/web_context.h"

namespace atrium::web {
namespace {

// The data set's large binary values become BulkDataURIs (top level; by tag).
class BulkDataJsonFormat : public DcmJsonFormatCompact {
 public:
  BulkDataJsonFormat(std::string instanceUrl, std::set<DcmTagKey> bulkTags)
      : DcmJsonFormatCompact(OFFalse), url_(std::move(instanceUrl)), bulk_(std::move(bulkTags)) {}
  OFBool asBulkDataURI(const DcmTagKey& tag, OFString& uri) override {
    if (!bulk_.count(tag)) return OFFalse;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04X%04X", tag.getGroup(), tag.getElement());
    uri = (url_ + "/bulk/" + buf).c_str();
    return OFTrue;
  }

 private:
  std::string url_;
  std::set<DcmTagKey> bulk_;
};

constexpr Uint32 kBulkThreshold = 1024;

bool isBinaryVr(DcmEVR vr) {
  return vr == EVR_OB || vr == EVR_OW || vr == EVR_OF || vr == EVR_OD || vr == EVR_OL || vr == EVR_OV || vr == EVR_UN ||
         vr == EVR_pixelSQ || vr == EVR_ox || vr == EVR_px;
}

std::string instanceUrl(const std::string& base, const StoredInstance& i) {
  return base + "/studies/" + i.studyUid + "/series/" + i.seriesUid + "/instances/" + i.sopUid;
}

// One instance's metadata (no values above the threshold inline), UTF-8.
bool metadataJson(const StoredInstance& inst, const std::string& url, std::string& out, std::string& error) {
  DcmFileFormat ff;
  // Values above the threshold stay on disk (loaded only if written inline).
  OFCondition c = ff.loadFile(inst.file.c_str(), EXS_Unknown, EGL_noChange, kBulkThreshold);
  if (c.bad()) {
    error = c.text();
    return false;
  }
  DcmDataset* ds = ff.getDataset();
  std::set<DcmTagKey> bulk;
  for (unsigned long i = 0; i < ds->card(); ++i) {
    DcmElement* e = ds->getElement(i);
    if (isBinaryVr(e->getVR()) && (e->getLength() > kBulkThreshold || e->getTag() == DCM_PixelData))
      bulk.insert(e->getTag());
  }
  if (ds->convertToUTF8().bad()) log::warn("metadata: cannot convert ", inst.sopUid, " to UTF-8");
  std::ostringstream os;
  BulkDataJsonFormat fmt(url, bulk);
  os << "{";
  ds->writeJson(os, fmt);
  os << "}";
  out = os.str();
  return true;
}

void retrieveInstances(WebContext& ctx, const httplib::Request& req, httplib::Response& res, const std::string& study,
                       const std::string& series, const std::string& sop) {
  std::string ts;
  if (!acceptedDicomSyntax(req.get_header_value("Accept"), ts))
    return sendError(res, 406, "this resource is multipart/related; type=\"application/dicom\"");
  auto items = findInstances(ctx, study, series, sop);
  if (items.empty()) return sendError(res, 404, "nothing stored under " + req.path);
  auditRetrieve(ctx, req, items);
  streamInstances(res, std::move(items), ts);
}

void retrieveMetadata(WebContext& ctx, const httplib::Request& req, httplib::Response& res, const std::string& study,
                      const std::string& series, const std::string& sop) {
  auto items = findInstances(ctx, study, series, sop);
  if (items.empty()) return sendError(res, 404, "nothing stored under " + req.path);
  auditRetrieve(ctx, req, items);
  std::string base = baseUrl(req), body = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::string json, error;
    if (!metadataJson(items[i], instanceUrl(base, items[i]), json, error)) {
      log::error("metadata of ", items[i].sopUid, ": ", error);
      return sendError(res, 500, "cannot read stored instance " + items[i].sopUid);
    }
    body += (i ? "," : "") + json;
  }
  body += "]";
  res.status = 200;
  res.set_content(body, "application/dicom+json");
}

void retrieveBulk(WebContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto items = findInstances(ctx, req.matches[1], req.matches[2], req.matches[3]);
  if (items.empty()) return sendError(res, 404, "no such instance");
  auditRetrieve(ctx, req, items);
  unsigned g = 0, e = 0;
  std::sscanf(std::string(req.matches[4]).c_str(), "%4x%4x", &g, &e);
  DcmTagKey key(static_cast<Uint16>(g), static_cast<Uint16>(e));
  DcmFileFormat ff;
  std::string error;
  // Pixel data comes uncompressed (Explicit VR LE), as clients of bulk data expect.
  if (!dicom::loadInTransferSyntax(items[0].file, items[0].transferSyntax,
                                   key == DCM_PixelData ? kExplicitLittleEndian : items[0].transferSyntax, ff, error))
    return sendError(res, 500, error);
  DcmElement* el = nullptr;
  if (ff.getDataset()->findAndGetElement(key, el).bad() || !el) return sendError(res, 404, "no such attribute");
  // The value's bytes whatever its VR (OB/UN, OW, OF such as Float Pixel Data, OD, OL), in the
  // little-endian order the data set was read in.
  Uint8* bytes = nullptr;
  Uint16* words = nullptr;
  Float32* floats = nullptr;
  Float64* doubles = nullptr;
  Uint32* longs = nullptr;
  if (el->getUint8Array(bytes).good() && bytes) {
  } else if (el->getUint16Array(words).good() && words) {
    bytes = reinterpret_cast<Uint8*>(words);
  } else if (el->getFloat32Array(floats).good() && floats) {
    bytes = reinterpret_cast<Uint8*>(floats);
  } else if (el->getFloat64Array(doubles).good() && doubles) {
    bytes = reinterpret_cast<Uint8*>(doubles);
  } else if (el->getUint32Array(longs).good() && longs) {
    bytes = reinterpret_cast<Uint8*>(longs);
  } else {
    return sendError(res, 404, "attribute has no binary value");
  }
  std::string boundary = newBoundary();
  std::string body = partHeader(boundary, "application/octet-stream") +
                     std::string(reinterpret_cast<char*>(bytes), el->getLength()) + closingDelimiter(boundary);
  res.status = 200;
  res.set_content(body, "multipart/related; type=\"application/octet-stream\"; boundary=" + boundary);
}

}  // namespace

void registerWadoRoutes(HttpServer& http, WebContext& ctx) {
  const std::string uid = "([0-9.]{1,64})";
  const std::string study = "/dicom-web/studies/" + uid, series = study + "/series/" + uid,
                    instance = series + "/instances/" + uid;
  http.get(study, Role::Viewer, [&](const httplib::Request& req, httplib::Response& res) {
    retrieveInstances(ctx, req, res, req.matches[1], "", "");
  });
  http.get(series, Role::Viewer, [&](const httplib::Request& req, httplib::Response& res) {
    retrieveInstances(ctx, req, res, req.matches[1], req.matches[2], "");
  });
  http.get(instance, Role::Viewer, [&](const httplib::Request& req, httplib::Response& res) {
    retrieveInstances(ctx, req, res, req.matches[1], req.matches[2], req.matches[3]);
  });
  http.get(study + "/metadata", Role::Viewer, [&](const httplib::Request& req, httplib::Response& res) {
    retrieveMetadata(ctx, req, res, req.matches[1], "", "");
  });
  http.get(series + "/metadata", Role::Viewer, [&](const httplib::Request& req, httplib::Response& res) {
    retrieveMetadata(ctx, req, res, req.matches[1], req.matches[2], "");
  });
  http.get(instance + "/metadata", Role::Viewer, [&](const httplib::Request& req, httplib::Response& res) {
    retrieveMetadata(ctx, req, res, req.matches[1], req.matches[2], req.matches[3]);
  });
  http.get(instance + "/bulk/([0-9A-Fa-f]{8})", Role::Viewer,
           [&](const httplib::Request& req, httplib::Response& res) { retrieveBulk(ctx, req, res); });
}

}  // namespace atrium::web
