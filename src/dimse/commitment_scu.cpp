// Storage Commitment SCU: the N-ACTION request and waiting for the report.
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmnet/dimse.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "dicom/uid.h"
#include "dimse/commitment.h"
#include "dimse/receive.h"

namespace atrium::dimse {
namespace {

using Clock = std::chrono::steady_clock;

int secondsLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::seconds>(deadline - Clock::now()).count();
  return left < 1 ? 1 : static_cast<int>(left);
}

// Waits on an association for the N-EVENT-REPORT of our transaction and answers it.
// nullopt when the peer released or the time ran out.
std::optional<CommitmentResult> awaitReport(T_ASC_Association* assoc, const std::string& txn,
                                            Clock::time_point deadline) {
  while (Clock::now() < deadline) {
    T_DIMSE_Message msg;
    std::memset(&msg, 0, sizeof msg);
    T_ASC_PresentationContextID presId = 0;
    DcmDataset* detail = nullptr;
    OFCondition c = DIMSE_receiveCommand(assoc, DIMSE_NONBLOCKING, secondsLeft(deadline), &presId, &msg, &detail);
    delete detail;
    if (c == DUL_PEERREQUESTEDRELEASE) {
      ASC_acknowledgeRelease(assoc);
      return std::nullopt;
    }
    if (c == DIMSE_NODATAAVAILABLE) continue;
    if (c.bad()) throw std::runtime_error(std::string("waiting for the commitment report: ") + c.text());
    if (msg.CommandField != DIMSE_N_EVENT_REPORT_RQ)
      throw std::runtime_error("unexpected DIMSE command while waiting for the commitment report");
    auto& rq = msg.msg.NEventReportRQ;
    std::unique_ptr<DcmDataset> ds;
    if (rq.DataSetType != DIMSE_DATASET_NULL && !(ds = receiveDataSet(assoc, presId, secondsLeft(deadline))))
      throw std::runtime_error("cannot receive the commitment report");
    T_DIMSE_Message rsp;
    std::memset(&rsp, 0, sizeof rsp);
    rsp.CommandField = DIMSE_N_EVENT_REPORT_RSP;
    auto& r = rsp.msg.NEventReportRSP;
    r.MessageIDBeingRespondedTo = rq.MessageID;
    OFStandard::strlcpy(r.AffectedSOPClassUID, rq.AffectedSOPClassUID, sizeof r.AffectedSOPClassUID);
    OFStandard::strlcpy(r.AffectedSOPInstanceUID, rq.AffectedSOPInstanceUID, sizeof r.AffectedSOPInstanceUID);
    r.EventTypeID = rq.EventTypeID;
    r.DimseStatus = STATUS_Success;
    r.DataSetType = DIMSE_DATASET_NULL;
    r.opts = O_NEVENTREPORT_AFFECTEDSOPCLASSUID | O_NEVENTREPORT_AFFECTEDSOPINSTANCEUID | O_NEVENTREPORT_EVENTTYPEID;
    DIMSE_sendMessageUsingMemoryData(assoc, presId, &rsp, nullptr, nullptr, nullptr, nullptr);
    if (!ds) continue;
    CommitmentResult result = readEventReport(*ds);
    if (result.transactionUid == txn) return result;  // another transaction's report: answered, not ours
  }
  return std::nullopt;
}

// A listening port on which the SCP may open an association to deliver the report.
class ReportListener {
 public:
  explicit ReportListener(int port) {
    OFCondition c = ASC_initializeNetwork(NET_ACCEPTOR, port, 30, &net_);
    if (c.bad()) throw std::runtime_error("cannot listen on port " + std::to_string(port) + ": " + c.text());
  }
  ~ReportListener() {
    if (net_) ASC_dropNetwork(&net_);
  }
  std::optional<CommitmentResult> await(const std::string& txn, Clock::time_point deadline) {
    while (Clock::now() < deadline) {
      T_ASC_Association* assoc = nullptr;
      OFCondition c = ASC_receiveAssociation(net_, &assoc, ASC_DEFAULTMAXPDU, nullptr, nullptr, OFFalse, DUL_NOBLOCK,
                                             secondsLeft(deadline));
      if (c.bad()) {
        if (assoc) ASC_destroyAssociation(&assoc);
        continue;
      }
      const char* ts[] = {UID_LittleEndianExplicitTransferSyntax, UID_LittleEndianImplicitTransferSyntax};
      int n = ASC_countPresentationContexts(assoc->params);
      for (int i = 0; i < n; ++i) {
        T_ASC_PresentationContext pc;
        ASC_getPresentationContext(assoc->params, i, &pc);
        if (std::strcmp(pc.abstractSyntax, UID_StorageCommitmentPushModelSOPClass) != 0) {
          ASC_refusePresentationContext(assoc->params, pc.presentationContextID, ASC_P_ABSTRACTSYNTAXNOTSUPPORTED);
          continue;
        }
        const char* chosen = nullptr;
        for (int t = 0; t < pc.transferSyntaxCount && !chosen; ++t)
          for (const char* ok : ts)
            if (std::strcmp(pc.proposedTransferSyntaxes[t], ok) == 0) chosen = ok;
        if (chosen)
          ASC_acceptPresentationContext(assoc->params, pc.presentationContextID, chosen, pc.proposedRole);
        else
          ASC_refusePresentationContext(assoc->params, pc.presentationContextID, ASC_P_TRANSFERSYNTAXESNOTSUPPORTED);
      }
      std::optional<CommitmentResult> result;
      if (ASC_acknowledgeAssociation(assoc).good()) {
        try {
          result = awaitReport(assoc, txn, deadline);
        } catch (const std::exception&) {
          ASC_abortAssociation(assoc);
        }
        if (result) {
          // Let the reporter release; do not wait long for it.
          awaitReport(assoc, txn, std::min(deadline, Clock::now() + std::chrono::seconds(5)));
        }
      }
      ASC_dropSCPAssociation(assoc);
      ASC_destroyAssociation(&assoc);
      if (result) return result;
    }
    return std::nullopt;
  }

 private:
  T_ASC_Network* net_ = nullptr;
};

std::string newTransactionUid() { return dicom::newUid(); }

}  // namespace

CommitmentResult requestCommitment(const PeerAddress& peer, const std::vector<SopRef>& refs,
                                   const CommitOptions& options) {
  auto deadline = Clock::now() + std::chrono::seconds(options.waitSeconds);
  std::unique_ptr<ReportListener> listener;
  if (options.listenPort) listener = std::make_unique<ReportListener>(options.listenPort);

  ProposedContext pc{UID_StorageCommitmentPushModelSOPClass,
                     {UID_LittleEndianExplicitTransferSyntax, UID_LittleEndianImplicitTransferSyntax}};
  auto a = ScuAssociation::open(peer, {pc});
  unsigned char id = a->contextFor(UID_StorageCommitmentPushModelSOPClass);
  if (!id) throw std::runtime_error(peer.calledAet + " does not offer storage commitment");
  std::string txn = newTransactionUid();

  T_DIMSE_Message m;
  std::memset(&m, 0, sizeof m);
  m.CommandField = DIMSE_N_ACTION_RQ;
  auto& rq = m.msg.NActionRQ;
  rq.MessageID = a->nextMessageId();
  OFStandard::strlcpy(rq.RequestedSOPClassUID, UID_StorageCommitmentPushModelSOPClass, sizeof rq.RequestedSOPClassUID);
  OFStandard::strlcpy(rq.RequestedSOPInstanceUID, UID_StorageCommitmentPushModelSOPInstance,
                      sizeof rq.RequestedSOPInstanceUID);
  rq.ActionTypeID = 1;
  rq.DataSetType = DIMSE_DATASET_PRESENT;
  DcmDataset ds;
  writeCommitmentRequest(txn, refs, ds);
  if (DIMSE_sendMessageUsingMemoryData(a->raw(), id, &m, nullptr, &ds, nullptr, nullptr).bad())
    throw std::runtime_error("cannot send the storage commitment request");

  T_DIMSE_Message rsp;
  std::memset(&rsp, 0, sizeof rsp);
  T_ASC_PresentationContextID rspPres = 0;
  DcmDataset* detail = nullptr;
  OFCondition c = DIMSE_receiveCommand(a->raw(), DIMSE_NONBLOCKING, a->timeoutSeconds(), &rspPres, &rsp, &detail);
  std::unique_ptr<DcmDataset> detailOwner(detail);
  if (c.bad() || rsp.CommandField != DIMSE_N_ACTION_RSP)
    throw std::runtime_error("no storage commitment response from " + peer.calledAet);
  if (rsp.msg.NActionRSP.DimseStatus != STATUS_Success) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s refused storage commitment: status 0x%04x", peer.calledAet.c_str(),
                  rsp.msg.NActionRSP.DimseStatus);
    throw std::runtime_error(buf);
  }

  std::optional<CommitmentResult> result;
  if (listener) {
    // The report comes on a new association (as from Orthanc, or from Atrium once we release).
    a->release();
    result = listener->await(txn, deadline);
  } else {
    result = awaitReport(a->raw(), txn, deadline);
    if (result) a->release();
  }
  if (!result)
    throw std::runtime_error("no storage commitment report from " + peer.calledAet + " within " +
                             std::to_string(options.waitSeconds) + " s");
  return *result;
}

}  // namespace atrium::dimse
