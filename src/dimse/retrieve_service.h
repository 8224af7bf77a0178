#pragma once
// C-MOVE and C-GET SCP: sub-operations with pending responses that count remaining, completed,
// failed and warning; a final status with the Failed SOP Instance UID List; C-CANCEL honoured.
#include <string>

#include "dimse/query_handlers.h"

struct T_ASC_Association;
struct T_DIMSE_Message;

namespace atrium::dimse {

struct RetrieveSettings {
  std::string ownAet;
  int timeoutSeconds = 60;
  long maxPdu = 16384;
};

// Return false when the association is no longer usable.
bool serveMove(T_ASC_Association* assoc, T_DIMSE_Message& request, unsigned char presId,
               IRetrieveRequestHandler& handler, const RetrieveSettings& settings);
bool serveGet(T_ASC_Association* assoc, T_DIMSE_Message& request, unsigned char presId,
              IRetrieveRequestHandler& handler, const RetrieveSettings& settings);

}  // namespace atrium::dimse
