// The viewer's built files (viewer/dist) at /: a fixed list of names, never a path from the URL.
#include <httplib.h>

#include <fstream>
#include <sstream>

#include "common/install_paths.h"
#include "web/http_server.h"
#include "web/json_response.h"
#include "web/web_context.h"

#ifndef ATRIUM_VIEWER_DIR
#define ATRIUM_VIEWER_DIR "viewer/dist"
#endif

namespace atrium::web {

void registerViewerRoutes(HttpServer& http, WebContext& ctx) {
  // The config's viewer_dir, else the installed one (share/atrium/viewer), else this source tree's.
  std::filesystem::path dir = ATRIUM_VIEWER_DIR;
  if (!ctx.config.viewerDir.empty())
    dir = ctx.config.viewerDir;
  else if (installedFile("viewer/index.html"))
    dir = *installedFile("viewer");
  struct File {
    const char* route;
    const char* name;
    const char* type;
  };
  static const File files[] = {{"/", "index.html", "text/html; charset=utf-8"},
                               {"/index.html", "index.html", "text/html; charset=utf-8"},
                               {"/viewer.js", "viewer.js", "text/javascript; charset=utf-8"},
                               {"/viewer.js.map", "viewer.js.map", "application/json"},
                               {"/viewer.css", "viewer.css", "text/css; charset=utf-8"}};
  for (const auto& f : files) {
    http.get(f.route, Role::Viewer, [dir, f](const httplib::Request&, httplib::Response& res) {
      std::ifstream in(dir / f.name, std::ios::binary);
      if (!in) return sendError(res, 404, std::string("the viewer is not built (no ") + (dir / f.name).string() + ")");
      std::ostringstream os;
      os << in.rdbuf();
      res.set_header("Cache-Control", "no-cache");
      res.status = 200;
      res.set_content(os.str(), f.type);
    });
  }
}

}  // namespace atrium::web
