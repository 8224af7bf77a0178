#pragma once
// The HTTP server inside `atrium serve`, on Debian's cpp-httplib (a pool of worker threads,
// streamed request bodies, bounded sizes). Every route names the role it needs; errors are JSON.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "web/auth.h"
#include "web/login_throttle.h"

namespace httplib {
class Server;
struct Request;
struct Response;
class ContentReader;
}  // namespace httplib

namespace atrium::web {

// Which user logged in from where lately: a successful login is audited once per window, not on
// every request it authenticates.
class RecentSessions {
 public:
  bool firstIn(const std::string& key, std::chrono::steady_clock::duration window);

 private:
  std::mutex mutex_;
  std::map<std::string, std::chrono::steady_clock::time_point> seen_;
};

// The user the request being handled on this thread authenticated as (empty when authentication is
// off, or before it): for the audit trail.
const std::string& requestUser();
// Its role (admin when authentication is off): what the viewer offers it.
Role requestRole();

using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
using StreamingHandler =
    std::function<void(const httplib::Request&, httplib::Response&, const httplib::ContentReader&)>;

// The largest request body (http_max_body_mb), in bytes.
std::size_t bodyLimit(const Config& config);
// When the announced Content-Length is over the limit (413) or unreadable (400): sends the error
// and returns its status; 0 when the body may come.
int refuseAnnouncedBody(const httplib::Request& req, httplib::Response& res, std::size_t limit);

class HttpServer {
 public:
  HttpServer(const Config& config, const Authenticator& auth);
  ~HttpServer();

  void get(const std::string& pattern, Role role, Handler handler);
  // No authentication even when it is on: /healthz, for load balancers and systemd watchdogs.
  void getPublic(const std::string& pattern, Handler handler);
  void post(const std::string& pattern, Role role, Handler handler);
  void postStreaming(const std::string& pattern, Role role, StreamingHandler handler);
  void patch(const std::string& pattern, Role role, Handler handler);
  void put(const std::string& pattern, Role role, Handler handler);
  void del(const std::string& pattern, Role role, Handler handler);

  // Every route registered so far: for GET /api/routes and the role-matrix test.
  struct Route {
    std::string method, pattern, role;  // role "none" for getPublic
  };
  const std::vector<Route>& routes() const { return routes_; }

  // Binds (throws std::runtime_error with a one-line reason) and serves on a thread.
  void start();
  void stop();

 private:
  Handler guarded(Role role, Handler handler) const;
  bool allowed(const httplib::Request& req, httplib::Response& res, Role role) const;

  const Config& config_;
  const Authenticator& auth_;
  mutable LoginThrottle throttle_;
  mutable RecentSessions sessions_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::vector<Route> routes_;
  int listenSocket_ = -1;  // set when the library creates it (set_socket_options)
};

}  // namespace atrium::web
