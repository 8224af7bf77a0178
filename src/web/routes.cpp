// Every route `serve` offers, registered in one place (serve, and the HTTP fuzz harness).
#include "web/dicomweb.h"
#include "web/web_context.h"

namespace atrium::web {

void registerAllRoutes(HttpServer& http, WebContext& ctx) {
  registerAdminRoutes(http, ctx);
  registerAuditRoutes(http, ctx);
  registerWorklistRoutes(http, ctx);
  registerJobRoutes(http, ctx);
  registerQidoRoutes(http, ctx);
  registerWadoRoutes(http, ctx);
  registerStowRoutes(http, ctx);
  registerFrameRoutes(http, ctx);
  registerWadoUriRoutes(http, ctx);
  registerViewerRoutes(http, ctx);
  registerHealthRoutes(http, ctx);
  registerMediaRoutes(http, ctx);
  registerCorrectionRoutes(http, ctx);
  registerDeidentifyRoutes(http, ctx);
  registerDoseRoutes(http, ctx);
  registerFlowRoutes(http, ctx);
  registerAnalysisRoutes(http, ctx);
}

}  // namespace atrium::web
