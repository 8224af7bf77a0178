// atrium serve: the archive.
#include <dcmtk/dcmdata/dcdict.h>
#include <dcmtk/oflog/oflog.h>

#include <csignal>
#include <cstdio>

#include "archive/archive.h"
#include "archive/integrity_scheduler.h"
#include "audit/audit_trail.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/data_folder.h"
#include "common/log.h"
#include "config/config.h"
#include "dicom/dcmtk_setup.h"
#include "dicom/sop_classes.h"
#include "dimse/server.h"
#include "routing/analysis_scheduler.h"
#include "routing/forwarder.h"
#include "routing/route_matcher.h"
#include "storage/data_lock.h"
#include "web/auth.h"
#include "web/http_server.h"
#include "web/web_context.h"

namespace atrium::cli {
namespace {
dimse::DimseServer* g_server = nullptr;
extern "C" void onSignal(int) {
  if (g_server) g_server->stop();
}
}  // namespace

int runServe(int argc, char** argv) {
  Config config;
  std::unique_ptr<web::Authenticator> auth;
  try {
    Args args(argc, argv, 2, commandSpec("serve"));
    if (!args.positionals().empty()) throw UsageError("unexpected argument '" + args.positionals()[0] + "'");
    if (args.has("config")) config = loadConfig(args.get("config"));
    if (args.has("data")) config.dataDir = args.get("data");
    if (args.has("aet")) config.aet = args.get("aet");
    config.dicomPort = args.getInt("dicom-port", config.dicomPort);
    config.httpPort = args.getInt("http-port", config.httpPort);
    config.maxAssociations = args.getInt("max-associations", config.maxAssociations);
    config.tls.port = args.getInt("tls-port", config.tls.port);
    if (args.has("tls-cert")) config.tls.certificate = args.get("tls-cert");
    if (args.has("tls-key")) config.tls.privateKey = args.get("tls-key");
    if (args.has("tls-ca")) config.tls.caCertificates = args.all("tls-ca");
    if (args.has("tls-require-client-cert")) config.tls.requirePeerCertificate = true;
    if (args.has("https")) config.https = true;
    for (const auto& p : args.all("peer")) {
      auto peer = parsePeer(p);
      std::erase_if(config.peers, [&](const Peer& x) { return x.aet == peer.aet; });
      config.peers.push_back(peer);
    }
    // --user NAME:PASSWORD:ROLE: hashed at start, like the config file's users.
    for (const auto& u : args.all("user")) {
      auto a = u.find(':'), b = u.rfind(':');
      if (a == std::string::npos || a == b || a == 0)
        throw UsageError("--user must be NAME:PASSWORD:ROLE, role viewer, editor or admin");
      config.httpAuth.users.push_back({u.substr(0, a), u.substr(a + 1, b - a - 1), "", u.substr(b + 1)});
    }
    if (args.has("no-auth")) config.httpAuth.enabled = false;
    // --forward AET: every new instance to that peer.
    for (const auto& aet : args.all("forward")) config.routes.push_back(Route{"--forward " + aet, {}, {aet}, false, {}});
    validateConfig(config);
    routing::validateRoutes(config.routes);
    try {
      dicom::acceptPrivateStorageClasses(config.privateStorageSopClasses);
    } catch (const std::invalid_argument& e) {
      throw ConfigError(std::string("config: ") + e.what());
    }
    if (config.httpPort) auth = std::make_unique<web::Authenticator>(config.httpAuth);
    if (args.has("verbose")) {
      log::setLevel(log::Level::Debug);
      OFLog::configure(OFLogger::DEBUG_LOG_LEVEL);  // PDU-level detail from DCMTK
    } else {
      OFLog::configure(OFLogger::WARN_LOG_LEVEL);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium serve: %s\n", e.what());
    return 2;
  }

  if (!dcmDataDict.isDictionaryLoaded()) {
    std::fprintf(stderr, "atrium serve: DCMTK data dictionary not loaded\n");
    return 2;
  }
  dicom::initializeDcmtk();
  std::signal(SIGPIPE, SIG_IGN);
  try {
    storage::DataLock lock(config.dataDir);
    auto trail = auditTrailOf(config);
    audit::ScopedInstall auditing(trail);
    audit::Message started;
    started.eventType = "110120";  // Application Start
    started.user = config.aet;
    audit::record(started);
    Archive archive(config);
    auto counts = archive.index().counts();
    log::info("data folder ", std::filesystem::absolute(config.dataDir).string(), ": ", counts.instances,
              " instances in ", counts.studies, " studies");
    routing::Forwarder forwarder(config, archive.index(), archive.peers(), DataLayout(config.dataDir).storage);
    forwarder.start();
    routing::AnalysisScheduler analyses(config, archive);
    analyses.start();
    IntegrityScheduler integrity(config, archive);
    integrity.start();
    std::unique_ptr<web::HttpServer> http;
    web::WebContext webContext{config, archive, &forwarder};
    if (config.httpPort) {
      http = std::make_unique<web::HttpServer>(config, *auth);
      web::registerAllRoutes(*http, webContext);
      http->start();
    }
    dimse::DimseServer server(config, archive, archive, archive, archive, archive.peers());
    server.setMppsHandler(&archive);
    server.open();
    g_server = &server;
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    server.run();
    g_server = nullptr;
    if (http) http->stop();
    integrity.stop();
    analyses.stop();
    forwarder.stop();
    audit::Message stopped;
    stopped.eventType = "110121";  // Application Stop
    stopped.user = config.aet;
    audit::record(stopped);
    log::info("stopped");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium serve: %s\n", e.what());
    return 2;
  }
  return 0;
}

}  // namespace atrium::cli
