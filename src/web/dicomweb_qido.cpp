// QIDO-RS (PS3.18 10.6): searches for studies, series and instances through the one query model,
// with the same matching as C-FIND. Answers are DICOM JSON (application/dicom+json).
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcdict.h>
#include <httplib.h>

#include <cstdio>
#include <set>

#include "dicom/keys.h"
#include "query/attributes.h"
#include "query/dicom_identifier.h"
#include "query/runner.h"
#include "query/sql_builder.h"
#include "web/dicomweb.h"
#include "web/http_server.h"
#include "web/json_response.h"
#include "web/web_audit.h"
#include "web/web_context.h"

namespace atrium::web {
namespace {

using query::Level;
using query::tag;

// PS3.18 Tables 10.6.3-3..5: what a search returns without includefield.
const std::vector<query::Tag>& defaultKeys(Level level) {
  static const std::vector<query::Tag> study = {
      tag(0x0008, 0x0020), tag(0x0008, 0x0030), tag(0x0008, 0x0050), tag(0x0008, 0x0056), tag(0x0008, 0x0061),
      tag(0x0008, 0x0090), tag(0x0010, 0x0010), tag(0x0010, 0x0020), tag(0x0010, 0x0030), tag(0x0010, 0x0040),
      tag(0x0020, 0x000D), tag(0x0020, 0x0010), tag(0x0020, 0x1206), tag(0x0020, 0x1208), tag(0x0008, 0x1030)};
  static const std::vector<query::Tag> series = {tag(0x0008, 0x0060), tag(0x0008, 0x103E), tag(0x0020, 0x0011),
                                                 tag(0x0020, 0x000E), tag(0x0020, 0x1209), tag(0x0008, 0x0021),
                                                 tag(0x0008, 0x0031)};
  static const std::vector<query::Tag> instance = {tag(0x0008, 0x0016), tag(0x0008, 0x0018), tag(0x0008, 0x0056),
                                                   tag(0x0020, 0x0013), tag(0x0028, 0x0010), tag(0x0028, 0x0011),
                                                   tag(0x0028, 0x0008)};
  return level == Level::Study ? study : level == Level::Series ? series : instance;
}

// Every attribute the index holds, for includefield=all.
std::vector<query::Tag> allKeys(Level level) {
  std::vector<query::Tag> out;
  for (Level l : {Level::Patient, Level::Study, Level::Series, Level::Image}) {
    if (l > level) break;
    for (auto t : defaultKeys(l == Level::Patient ? Level::Study : l)) out.push_back(t);
  }
  for (auto t : {tag(0x0010, 0x0021), tag(0x0008, 0x0062), tag(0x0018, 0x0015), tag(0x0018, 0x1030),
                 tag(0x0020, 0x0052), tag(0x0008, 0x3002)})
    if (query::findAttribute(level, 0, t) && query::findAttribute(level, 0, t)->level <= level) out.push_back(t);
  return out;
}

std::string vrOf(query::Tag t) {
  DcmTag dt(static_cast<Uint16>(t >> 16), static_cast<Uint16>(t & 0xFFFF));
  return dt.getVR().getVRName();
}

struct SearchScope {
  Level level;
  std::string studyUid, seriesUid;
};

void search(WebContext& ctx, const SearchScope& scope, const httplib::Request& req, httplib::Response& res) {
  query::Query q;
  q.root = query::Root::Study;
  q.level = scope.level;
  q.personNameCaseInsensitive = ctx.config.personNameCaseInsensitive;
  std::set<query::Tag> seen;
  auto add = [&](query::Tag t, const std::string& value) {
    if (!seen.insert(t).second) {
      for (auto& k : q.keys)
        if (k.tag == t && !value.empty()) k.value = value;
      return;
    }
    q.keys.push_back({t, 0, vrOf(t), value});
  };
  if (!scope.studyUid.empty()) add(tag(0x0020, 0x000D), scope.studyUid);
  if (!scope.seriesUid.empty()) add(tag(0x0020, 0x000E), scope.seriesUid);
  try {
    for (const auto& [name, value] : req.params) {
      if (name == "limit" || name == "offset") {
        std::size_t used = 0;
        long long n = std::stoll(value, &used);
        if (used != value.size() || n < 0) throw std::invalid_argument(name);
        (name == "limit" ? q.limit : q.offset) = static_cast<std::size_t>(n);
        continue;
      }
      if (name == "fuzzymatching") continue;  // person names already match case-insensitively
      if (name == "includefield") {
        std::size_t start = 0;
        while (start <= value.size()) {
          auto comma = value.find(',', start);
          std::string field = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
          if (field == "all") {
            for (auto t : allKeys(q.level)) add(t, "");
          } else if (!field.empty()) {
            add(parseAttribute(field), "");
          }
          if (comma == std::string::npos) break;
          start = comma + 1;
        }
        continue;
      }
      add(parseAttribute(name), value);
    }
  } catch (const std::invalid_argument& e) {
    return sendError(res, 400, std::string("bad query parameter: ") + e.what());
  } catch (const std::out_of_range& e) {
    return sendError(res, 400, std::string("bad query parameter: ") + e.what());
  }
  // The level's default keys, and the UIDs of the levels above it.
  for (auto t : defaultKeys(q.level)) add(t, "");
  if (q.level >= Level::Series) add(query::uniqueKey(Level::Study), "");
  if (q.level >= Level::Image) add(query::uniqueKey(Level::Series), "");

  std::string base = baseUrl(req);
  std::string body = "[";
  bool first = true;
  try {
    query::runQuery(ctx.archive.index(), q, [&](query::Match&& m) {
      DcmDataset ds;
      query::matchToIdentifier(m, q, ctx.config.aet, ds);
      ds.findAndDeleteElement(DCM_QueryRetrieveLevel);
      ds.findAndDeleteElement(DCM_SpecificCharacterSet);
      std::string url = base + "/studies/" + m.studyUid;
      if (q.level >= Level::Series) url += "/series/" + m.seriesUid;
      if (q.level >= Level::Image) url += "/instances/" + m.sopUid;
      ds.putAndInsertString(DCM_RetrieveURL, url.c_str());
      body += (first ? "" : ",") + dicom::toDicomJson(ds);
      first = false;
      return true;
    });
  } catch (const query::QueryError& e) {
    return sendError(res, 400, e.what());
  }
  body += "]";
  std::string patientId;
  for (const auto& k : q.keys)
    if (k.tag == tag(0x0010, 0x0020)) patientId = k.value;
  auditSearch(req, patientId);
  res.status = 200;
  res.set_content(body, "application/dicom+json");
}

}  // namespace

query::Tag parseAttribute(const std::string& name) {
  unsigned g = 0, e = 0;
  char tail = 0;
  if (name.size() == 8 && std::sscanf(name.c_str(), "%4x%4x%c", &g, &e, &tail) == 2) return tag(g, e);
  DcmTag t;
  if (name.find('.') == std::string::npos && DcmTag::findTagFromName(name.c_str(), t).good())
    return tag(t.getGTag(), t.getETag());
  throw std::invalid_argument("unknown attribute '" + name + "'");
}

std::string baseUrl(const httplib::Request& req) {
  std::string host = req.get_header_value("Host");
  return "http://" + (host.empty() ? std::string("localhost") : host) + "/dicom-web";
}

void registerQidoRoutes(HttpServer& http, WebContext& ctx) {
  const std::string uid = "([0-9.]{1,64})";
  http.get("/dicom-web/studies", Role::Viewer, [&](const httplib::Request& req, httplib::Response& res) {
    search(ctx, {Level::Study, "", ""}, req, res);
  });
  http.get("/dicom-web/series", Role::Viewer, [&](const httplib::Request& req, httplib::Response& res) {
    search(ctx, {Level::Series, "", ""}, req, res);
  });
  http.get("/dicom-web/instances", Role::Viewer, [&](const httplib::Request& req, httplib::Response& res) {
    search(ctx, {Level::Image, "", ""}, req, res);
  });
  http.get("/dicom-web/studies/" + uid + "/series", Role::Viewer,
           [&](const httplib::Request& req, httplib::Response& res) {
             search(ctx, {Level::Series, req.matches[1], ""}, req, res);
           });
  http.get("/dicom-web/studies/" + uid + "/instances", Role::Viewer,
           [&](const httplib::Request& req, httplib::Response& res) {
             search(ctx, {Level::Image, req.matches[1], ""}, req, res);
           });
  http.get("/dicom-web/studies/" + uid + "/series/" + uid + "/instances", Role::Viewer,
           [&](const httplib::Request& req, httplib::Response& res) {
             search(ctx, {Level::Image, req.matches[1], req.matches[2]}, req, res);
           });
}

}  // namespace atrium::web
