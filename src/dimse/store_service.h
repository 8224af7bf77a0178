#pragma once
// C-STORE SCP: the data set is streamed to the file the store handler names, then handed to it;
// the response carries its status (and an error comment on failure).
#include <string>

#include "dimse/store_handler.h"

struct T_ASC_Association;
struct T_DIMSE_Message;

namespace atrium::dimse {

// Returns false when the association is no longer usable.
bool serveStore(T_ASC_Association* assoc, T_DIMSE_Message& request, unsigned char presId, IStoreRequestHandler& handler,
                int timeoutSeconds, const std::string& peer, int& stored, int& failed);

}  // namespace atrium::dimse
