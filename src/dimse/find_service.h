#pragma once
// C-FIND SCP: pending responses are streamed as matches are found; C-CANCEL stops the search.
#include "dimse/query_handlers.h"

struct T_ASC_Association;
struct T_DIMSE_Message;

namespace atrium::dimse {

// Returns false when the association is no longer usable.
bool serveFind(T_ASC_Association* assoc, T_DIMSE_Message& request, unsigned char presId, IFindRequestHandler& handler,
               int timeoutSeconds);

}  // namespace atrium::dimse
