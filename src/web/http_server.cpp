#include "web/http_server.h"

#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "audit/audit_trail.h"
#include "common/log.h"
#include "common/metrics.h"
#include "web/elastic_pool.h"
#include "web/json_response.h"

namespace atrium::web {

std::size_t bodyLimit(const Config& config) { return static_cast<std::size_t>(config.httpMaxBodyMb) * 1024 * 1024; }

int refuseAnnouncedBody(const httplib::Request& req, httplib::Response& res, std::size_t limit) {
  if (!req.has_header("Content-Length")) return 0;
  try {
    if (std::stoull(req.get_header_value("Content-Length")) <= limit) return 0;
  } catch (const std::exception&) {
    sendError(res, 400, "bad Content-Length");
    return 400;
  }
  sendError(res, 413, "request body too large (limit " + std::to_string(limit) + " bytes)");
  return 413;
}

namespace {

// Workers at most, slow clients included; beyond this a connection waits for one to free up.
constexpr std::size_t kMaxHttpWorkers = 512;

// BCP 195 for HTTPS as for DICOM: TLS 1.2 and 1.3 only, forward-secret AEAD suites for 1.2.
bool setUpTls(SSL_CTX& ctx, const TlsConfig& tls) {
  auto fail = [](const std::string& what) {
    log::error("HTTPS: ", what);
    return false;
  };
  SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_set_cipher_list(&ctx, "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20") != 1)
    return fail("cannot set the cipher suites");
  if (SSL_CTX_use_certificate_chain_file(&ctx, tls.certificate.c_str()) != 1)
    return fail("cannot read certificate " + tls.certificate);
  if (SSL_CTX_use_PrivateKey_file(&ctx, tls.privateKey.c_str(), SSL_FILETYPE_PEM) != 1)
    return fail("cannot read private key " + tls.privateKey);
  if (SSL_CTX_check_private_key(&ctx) != 1)
    return fail("private key " + tls.privateKey + " does not match certificate " + tls.certificate);
  if (tls.requirePeerCertificate) {
    for (const auto& ca : tls.caCertificates)
      if (SSL_CTX_load_verify_locations(&ctx, ca.c_str(), nullptr) != 1)
        return fail("cannot read CA certificates " + ca);
    SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  return true;
}

std::unique_ptr<httplib::Server> makeServer(const Config& config) {
  if (!config.https) return std::make_unique<httplib::Server>();
  auto server = std::make_unique<httplib::SSLServer>([&config](SSL_CTX& ctx) { return setUpTls(ctx, config.tls); });
  if (!server->is_valid()) throw std::runtime_error("HTTPS: cannot set up TLS (see the line above)");
  // Browsers that have seen HTTPS here use nothing else for a year.
  server->set_default_headers({{"Strict-Transport-Security", "max-age=31536000"}});
  return server;
}

bool isLoopback(const std::string& address) {
  return address == "127.0.0.1" || address == "::1" || address == "localhost" || address.rfind("127.", 0) == 0;
}

}  // namespace

HttpServer::HttpServer(const Config& config, const Authenticator& auth)
    : config_(config), auth_(auth), server_(makeServer(config)) {
  int threads = config.httpThreads;
  // http_threads workers always, more while slow clients hold them (web/elastic_pool.h).
  server_->new_task_queue = [threads] { return new ElasticPool(static_cast<std::size_t>(threads), kMaxHttpWorkers); };
  server_->set_payload_max_length(bodyLimit(config));
  server_->set_keep_alive_timeout(5);  // idle keep-alive connections give their worker back
  server_->set_tcp_nodelay(true);      // else small answers wait ~40 ms for a delayed ACK
  server_->set_read_timeout(60);
  server_->set_write_timeout(60);
  // Errors the library produces itself (404 no route, 413 too large, 400 malformed) get JSON too.
  server_->set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    const char* what = res.status == 404   ? "no such resource"
                       : res.status == 413 ? "request body too large"
                       : res.status == 405 ? "method not allowed"
                                           : "bad request";
    sendError(res, res.status, std::string(what) + ": " + req.method + " " + req.path);
  });
  server_->set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown error";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {}
    log::error("HTTP ", req.method, " ", req.path, ": ", what);
    sendError(res, 500, "internal error: " + what);
  });
  // A client that asks first (Expect: 100-continue, as curl does for large bodies) learns of a
  // body over the limit before sending it.
  std::size_t limit = bodyLimit(config);
  server_->set_expect_100_continue_handler([limit](const httplib::Request& req, httplib::Response& res) {
    int refused = refuseAnnouncedBody(req, res, limit);
    return refused ? refused : 100;
  });
  // Like the DICOM port: a bare connection (a health check, a scan, a client that never sends a
  // request) reaches a worker only once its first bytes arrive, and the accept queue is the
  // system's largest (the library asks for 5), so silent sockets cannot hold every worker.
  server_->set_socket_options([this](socket_t sock) {
    httplib::default_socket_options(sock);
    int defer = 10;
    ::setsockopt(sock, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer, sizeof defer);
    listenSocket_ = sock;
  });
  server_->set_logger([](const httplib::Request& req, const httplib::Response& res) {
    log::debug("HTTP ", req.method, " ", req.path, " ", res.status);
  });
}

HttpServer::~HttpServer() { stop(); }

namespace {
// Latency of every routed request, and a count by status class ("2xx", "4xx", ...).
void recordRequest(const httplib::Response& res, double seconds) {
  static metrics::Histogram& latency =
      metrics::histogram("atrium_http_request_seconds", "HTTP requests answered by a route, seconds");
  static metrics::CounterSet<6> byClass("atrium_http_requests_total",
                                        "HTTP requests answered by a route, by status class", "code");
  latency.observe(seconds);
  int cls = std::clamp((res.status > 0 ? res.status : 200) / 100, 1, 5);  // unset: 200
  byClass.at(static_cast<std::size_t>(cls), std::to_string(cls) + "xx").add();
}

double since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// A failed login or a refused request in the audit trail.
void auditAccess(audit::Event event, const char* type, const std::string& user, const std::string& from,
                 const std::string& why) {
  audit::recordRefusal(event, type, user, from, why);
}

thread_local std::string t_requestUser;
thread_local Role t_requestRole = Role::Admin;  // authentication off: everyone may do everything

}  // namespace

const std::string& requestUser() { return t_requestUser; }
Role requestRole() { return t_requestRole; }

bool RecentSessions::firstIn(const std::string& key, std::chrono::steady_clock::duration window) {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  if (seen_.size() > 10000) seen_.clear();  // bounded: at worst some logins are recorded twice
  auto [it, inserted] = seen_.try_emplace(key, now);
  if (!inserted && now - it->second < window) return false;
  it->second = now;
  return true;
}

bool HttpServer::allowed(const httplib::Request& req, httplib::Response& res, Role role) const {
  t_requestUser.clear();
  t_requestRole = Role::Admin;
  if (!auth_.enabled()) return true;
  const std::string& from = req.remote_addr;
  if (int wait = throttle_.lockedFor(from)) {
    res.set_header("Retry-After", std::to_string(wait));
    sendError(res, 429, "too many failed logins from " + from + "; try again in " + std::to_string(wait) + " s");
    return false;
  }
  std::string authorization = req.get_header_value("Authorization");
  auto id = auth_.authenticate(authorization);
  if (!id) {
    if (!authorization.empty()) {  // wrong credentials (a first request without any is no attempt)
      metrics::counter("atrium_http_login_failures_total", "HTTP requests with wrong credentials").add();
      auditAccess(audit::Event::UserAuthentication, "110122", Authenticator::claimedName(authorization), from,
                  "wrong credentials for " + req.method + " " + req.path);
      if (throttle_.failed(from)) {
        log::warn("HTTP: ", LoginThrottle::kFree, " failed logins from ", from, ": refused (429) for a while");
        metrics::counter("atrium_http_login_lockouts_total", "addresses refused for repeated failed logins").add();
        auditAccess(audit::Event::SecurityAlert, "110126", Authenticator::claimedName(authorization), from,
                    "repeated failed logins: refused for a while (429)");
      }
    }
    res.set_header("WWW-Authenticate", "Basic realm=\"Atrium\"");
    sendError(res, 401, "authentication required (HTTP Basic or Bearer token)");
    return false;
  }
  throttle_.succeeded(from);
  t_requestUser = id->name;
  t_requestRole = id->role;
  if (sessions_.firstIn(id->name + "@" + from, std::chrono::minutes(10))) {
    audit::Message m;
    m.event = audit::Event::UserAuthentication;
    m.eventType = "110122";
    m.user = id->name;
    m.address = from;
    audit::record(std::move(m));
  }
  if (static_cast<int>(id->role) < static_cast<int>(role)) {
    auditAccess(audit::Event::SecurityAlert, "110132", id->name, from,
                std::string("role ") + roleName(id->role) + " may not " + req.method + " " + req.path);
    sendError(
        res, 403,
        std::string("user '") + id->name + "' (" + roleName(id->role) + ") may not " + req.method + " " + req.path);
    return false;
  }
  return true;
}

Handler HttpServer::guarded(Role role, Handler handler) const {
  return [this, role, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    auto start = std::chrono::steady_clock::now();
    if (allowed(req, res, role)) handler(req, res);
    recordRequest(res, since(start));
  };
}

void HttpServer::get(const std::string& pattern, Role role, Handler handler) {
  routes_.push_back({"GET", pattern, roleName(role)});
  server_->Get(pattern, guarded(role, std::move(handler)));
}

void HttpServer::getPublic(const std::string& pattern, Handler handler) {
  routes_.push_back({"GET", pattern, "none"});
  server_->Get(pattern, [handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    auto start = std::chrono::steady_clock::now();
    handler(req, res);
    recordRequest(res, since(start));
  });
}

void HttpServer::post(const std::string& pattern, Role role, Handler handler) {
  routes_.push_back({"POST", pattern, roleName(role)});
  server_->Post(pattern, guarded(role, std::move(handler)));
}

void HttpServer::patch(const std::string& pattern, Role role, Handler handler) {
  routes_.push_back({"PATCH", pattern, roleName(role)});
  server_->Patch(pattern, guarded(role, std::move(handler)));
}

void HttpServer::put(const std::string& pattern, Role role, Handler handler) {
  routes_.push_back({"PUT", pattern, roleName(role)});
  server_->Put(pattern, guarded(role, std::move(handler)));
}

void HttpServer::del(const std::string& pattern, Role role, Handler handler) {
  routes_.push_back({"DELETE", pattern, roleName(role)});
  server_->Delete(pattern, guarded(role, std::move(handler)));
}

void HttpServer::postStreaming(const std::string& pattern, Role role, StreamingHandler handler) {
  routes_.push_back({"POST", pattern, roleName(role)});
  server_->Post(pattern, [this, role, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res,
                                                                    const httplib::ContentReader& reader) {
    auto start = std::chrono::steady_clock::now();
    if (allowed(req, res, role)) handler(req, res, reader);
    recordRequest(res, since(start));
  });
}

void HttpServer::start() {
  if (!server_->bind_to_port(config_.httpBind, config_.httpPort))
    throw std::runtime_error("cannot listen on HTTP port " + std::to_string(config_.httpPort) + " (" +
                             config_.httpBind + ")");
  if (listenSocket_ >= 0) ::listen(listenSocket_, SOMAXCONN);
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  log::info(config_.https ? "HTTPS" : "HTTP", " server listening on ", config_.httpBind, ":", config_.httpPort,
            auth_.enabled() ? "" : " (authentication disabled)");
  if (auth_.enabled() && !config_.https && !isLoopback(config_.httpBind))
    log::warn("HTTP without HTTPS on ", config_.httpBind,
              ": passwords and patient data cross the network in the clear (set \"https\": true)");
}

void HttpServer::stop() {
  if (server_->is_running()) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace atrium::web
