// The HTTP request path: every route `serve` offers (QIDO-RS and WADO-URI query strings, WADO-RS,
// STOW-RS multipart bodies, worklist JSON, the REST admin API, the viewer's files) behind
// cpp-httplib's request parser, listening on a loopback port in this process without
// authentication; each input is the bytes of one connection (one request or several). Any status
// is a fine answer; a crash, a sanitizer report or a server that stops answering is a finding.
#include <memory>

#include "archive/archive.h"
#include "config/config.h"
#include "dicom/dcmtk_setup.h"
#include "fuzz_support.h"
#include "web/auth.h"
#include "web/http_server.h"
#include "web/web_context.h"

using namespace atrium;

namespace {
int g_port = 0;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::quietLogs();
  dicom::initializeDcmtk();
  auto dir = fuzz::scratchFolder("http");
  g_port = fuzz::freeLoopbackPort();
  // Never destroyed: the server threads use them until the process ends.
  auto& config =
      *new Config(parseConfig(R"({"aet": "ATRIUM", "dicom_port": 11112, "http_port": )" + std::to_string(g_port) +
                              R"(, "http_bind": "127.0.0.1", "http_auth": false, "http_max_body_mb": 4,
                                        "data_dir": ")" +
                              dir.string() + R"("})"));
  auto& archive = *new Archive(config);
  auto& auth = *new web::Authenticator(config.httpAuth);
  auto& context = *new web::WebContext{config, archive, nullptr};
  auto& http = *new web::HttpServer(config, auth);
  web::registerAllRoutes(http, context);
  http.start();
  if (!fuzz::waitForListener(g_port)) std::abort();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::exchange(g_port, data, size, 3000);
  return 0;
}
