#include "dimse/find_service.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmnet/dimse.h>

#include <cstring>
#include <memory>

#include "common/log.h"
#include "common/metrics.h"
#include "dimse/audit_events.h"
#include "dimse/receive.h"

namespace atrium::dimse {

bool serveFind(T_ASC_Association* assoc, T_DIMSE_Message& msg, unsigned char presId, IFindRequestHandler& handler,
               int timeout) {
  T_DIMSE_C_FindRQ& req = msg.msg.CFindRQ;
  std::unique_ptr<DcmDataset> identifier = receiveDataSet(assoc, presId, timeout);
  if (!identifier) {
    log::warn("C-FIND: cannot receive the identifier");
    return false;
  }

  T_DIMSE_C_FindRSP rsp;
  std::memset(&rsp, 0, sizeof rsp);
  rsp.MessageIDBeingRespondedTo = req.MessageID;
  OFStandard::strlcpy(rsp.AffectedSOPClassUID, req.AffectedSOPClassUID, sizeof rsp.AffectedSOPClassUID);
  rsp.opts = O_FIND_AFFECTEDSOPCLASSUID;

  bool cancelled = false, broken = false;
  std::size_t matches = 0;
  auto onMatch = [&](DcmDataset& result) {
    if (DIMSE_checkForCancelRQ(assoc, presId, req.MessageID).good()) {
      cancelled = true;
      return false;
    }
    rsp.DimseStatus = STATUS_Pending;
    rsp.DataSetType = DIMSE_DATASET_PRESENT;
    if (DIMSE_sendFindResponse(assoc, presId, &req, &rsp, &result, nullptr).bad()) {
      broken = true;
      return false;
    }
    ++matches;
    return true;
  };
  std::string comment;
  std::uint16_t status;
  {
    static metrics::Histogram& latency =
        metrics::histogram("atrium_dimse_find_seconds", "C-FIND and worklist queries answered, seconds");
    metrics::Timer timer(latency);
    status = handler.find(req.AffectedSOPClassUID, *identifier, onMatch, comment);
  }
  if (broken) return false;
  if (cancelled) status = STATUS_FIND_Cancel_MatchingTerminatedDueToCancelRequest;

  rsp.DimseStatus = status;
  rsp.DataSetType = DIMSE_DATASET_NULL;
  std::unique_ptr<DcmDataset> detail;
  if (!comment.empty()) {
    detail = std::make_unique<DcmDataset>();
    detail->putAndInsertString(DCM_ErrorComment, comment.substr(0, 64).c_str());
  }
  log::info("C-FIND ", req.AffectedSOPClassUID, ": ", matches, " matches, status 0x", std::hex, status, std::dec,
            comment.empty() ? "" : " (" + comment + ")");
  auditRequest(assoc, audit::Event::Query, 'E', identifier.get(), status == STATUS_Success,
               "C-FIND " + std::string(req.AffectedSOPClassUID) + ": " + std::to_string(matches) + " matches" +
                   (comment.empty() ? "" : " (" + comment + ")"));
  return DIMSE_sendFindResponse(assoc, presId, &req, &rsp, nullptr, detail.get()).good();
}

}  // namespace atrium::dimse
