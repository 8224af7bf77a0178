#pragma once
// DICOMweb (PS3.18) under /dicom-web: QIDO-RS, WADO-RS, STOW-RS; and WADO-URI under /wado.
#include <string>

#include "query/query.h"

namespace httplib {
struct Request;
}

namespace atrium::web {

class HttpServer;
struct WebContext;

void registerQidoRoutes(HttpServer& http, WebContext& ctx);
void registerWadoRoutes(HttpServer& http, WebContext& ctx);
void registerStowRoutes(HttpServer& http, WebContext& ctx);
void registerFrameRoutes(HttpServer& http, WebContext& ctx);    // frames, rendered, thumbnail
void registerWadoUriRoutes(HttpServer& http, WebContext& ctx);  // /wado

// "PatientName" or "00100010" → tag; throws std::invalid_argument naming it.
query::Tag parseAttribute(const std::string& name);
// "http://HOST/dicom-web" from the request's Host header.
std::string baseUrl(const httplib::Request& req);

}  // namespace atrium::web
