#pragma once
// DICOMweb and WADO-URI requests in the audit trail, with the request's user and address: every
// search (QIDO-RS), and access to a study's instances (WADO), once per user, address and study in
// ten minutes (a viewer's cine asks for hundreds of frames; the trail needs the access once).
#include <string>
#include <vector>

#include "audit/audit_message.h"
#include "web/instance_lookup.h"

namespace httplib {
struct Request;
}

namespace atrium::web {

// A message about this request, naming its user (as authenticated) and address.
audit::Message requestMessage(audit::Event event, char action, const httplib::Request& req);
void auditSearch(const httplib::Request& req, const std::string& patientId);
void auditRetrieve(WebContext& ctx, const httplib::Request& req, const std::vector<StoredInstance>& items);

}  // namespace atrium::web
