#include "web/web_audit.h"

#include <httplib.h>

#include <chrono>

#include "audit/audit_trail.h"
#include "web/http_server.h"

namespace atrium::web {

audit::Message requestMessage(audit::Event event, char action, const httplib::Request& req) {
  audit::Message m;
  m.event = event;
  m.action = action;
  m.user = requestUser();
  m.address = req.remote_addr;
  return m;
}

void auditSearch(const httplib::Request& req, const std::string& patientId) {
  if (!audit::installed()) return;
  audit::Message m = requestMessage(audit::Event::Query, 'E', req);
  m.patientId = patientId;
  std::string query;
  for (const auto& [name, value] : req.params) query += (query.empty() ? "?" : "&") + name + "=" + value;
  m.detail = "QIDO-RS " + req.path + query;
  audit::record(std::move(m));
}

void auditRetrieve(WebContext& ctx, const httplib::Request& req, const std::vector<StoredInstance>& items) {
  static RecentSessions recent;
  if (!audit::installed() || items.empty()) return;
  const std::string& study = items.front().studyUid;
  if (!recent.firstIn(requestUser() + "@" + req.remote_addr + "/" + study, std::chrono::minutes(10))) return;
  audit::Message m = requestMessage(audit::Event::InstancesAccessed, 'R', req);
  m.studyUid = study;
  if (auto inst = ctx.archive.index().findInstance(items.front().sopUid)) {
    m.patientId = inst->patientId;
    m.patientName = inst->patientName;
  }
  m.detail = (req.path.rfind("/wado", 0) == 0 ? "WADO-URI " : "WADO-RS ") + req.path;
  audit::record(std::move(m));
}

}  // namespace atrium::web
