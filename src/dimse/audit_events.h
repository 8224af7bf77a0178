#pragma once
// DIMSE requests in the audit trail: who (calling AE title, address), what (the identifier's
// patient and study), how it ended.
#include <string>
#include <vector>

#include "audit/audit_message.h"

struct T_ASC_Association;
class DcmDataset;

namespace atrium::dimse {

struct SendItem;

// sent: what a retrieval sent; when the identifier names no patient (a study UID only), the
// patient is read from the first file sent.
void auditRequest(T_ASC_Association* assoc, audit::Event event, char action, const DcmDataset* identifier, bool success,
                  const std::string& detail, const std::vector<SendItem>* sent = nullptr);

}  // namespace atrium::dimse
