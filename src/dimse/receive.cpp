#include "dimse/receive.h"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmnet/dimse.h>

namespace atrium::dimse {

std::unique_ptr<DcmDataset> receiveDataSet(T_ASC_Association* assoc, unsigned char presId, int timeoutSeconds) {
  DcmDataset* raw = nullptr;
  T_ASC_PresentationContextID id = presId;
  if (DIMSE_receiveDataSetInMemory(assoc, DIMSE_NONBLOCKING, timeoutSeconds, &id, &raw, nullptr, nullptr).bad()) {
    delete raw;
    return nullptr;
  }
  return std::unique_ptr<DcmDataset>(raw);
}

}  // namespace atrium::dimse
