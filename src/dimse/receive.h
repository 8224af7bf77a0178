#pragma once
// The data set that follows a DIMSE command on an association (a C-FIND or C-MOVE identifier, the
// N-ACTION information, the N-EVENT-REPORT, a response's extra data).
#include <memory>

class DcmDataset;
struct T_ASC_Association;

namespace atrium::dimse {

// Null when it cannot be received (the peer went away, the timeout passed, garbage).
std::unique_ptr<DcmDataset> receiveDataSet(T_ASC_Association* assoc, unsigned char presId, int timeoutSeconds);

}  // namespace atrium::dimse
