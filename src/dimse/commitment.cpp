#include "dimse/commitment.h"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmnet/dimse.h>

#include <cstring>
#include <memory>
#include <stdexcept>

#include "common/log.h"
#include "dicom/text.h"
#include "dicom/uid.h"
#include "dimse/receive.h"

namespace atrium::dimse {
namespace {

constexpr std::uint16_t kMissingAttribute = 0x0120;
constexpr std::uint16_t kInvalidAttributeValue = 0x0106;
constexpr std::uint16_t kNoSuchAction = 0x0123;
constexpr std::uint16_t kNoSuchSopClass = 0x0118;
constexpr std::uint16_t kInvalidObjectInstance = 0x0117;

std::string uidValue(DcmItem& item, const DcmTagKey& key) { return dicom::trimUid(dicom::getRaw(item, key)); }

void addRefs(DcmDataset& out, const DcmTagKey& seqTag, const SopRef& ref, std::uint16_t reason = 0) {
  DcmItem* item = nullptr;
  out.findOrCreateSequenceItem(seqTag, item, -2);  // -2: append a new item
  item->putAndInsertString(DCM_ReferencedSOPClassUID, ref.classUid.c_str());
  item->putAndInsertString(DCM_ReferencedSOPInstanceUID, ref.instanceUid.c_str());
  if (reason) item->putAndInsertUint16(DCM_FailureReason, reason);
}

std::vector<SopRef> readRefs(DcmDataset& ds, const DcmTagKey& seqTag, std::vector<std::uint16_t>* reasons) {
  std::vector<SopRef> out;
  DcmSequenceOfItems* seq = nullptr;
  if (ds.findAndGetSequence(seqTag, seq).bad() || !seq) return out;
  for (unsigned long i = 0; i < seq->card(); ++i) {
    DcmItem* it = seq->getItem(i);
    out.push_back({uidValue(*it, DCM_ReferencedSOPClassUID), uidValue(*it, DCM_ReferencedSOPInstanceUID)});
    if (reasons) {
      Uint16 r = 0;
      it->findAndGetUint16(DCM_FailureReason, r);
      reasons->push_back(r);
    }
  }
  return out;
}

// The status of an N-ACTION request, and its references when it is acceptable.
std::uint16_t checkRequest(const T_DIMSE_N_ActionRQ& req, DcmDataset* ds, std::string& txn, std::vector<SopRef>& refs,
                           std::string& why) {
  if (std::strcmp(req.RequestedSOPClassUID, UID_StorageCommitmentPushModelSOPClass) != 0) {
    why = "not the Storage Commitment Push Model SOP Class";
    return kNoSuchSopClass;
  }
  if (std::strcmp(req.RequestedSOPInstanceUID, UID_StorageCommitmentPushModelSOPInstance) != 0) {
    why = "Requested SOP Instance UID must be " + std::string(UID_StorageCommitmentPushModelSOPInstance);
    return kInvalidObjectInstance;
  }
  if (req.ActionTypeID != 1) {
    why = "Action Type ID must be 1 (Request Storage Commitment)";
    return kNoSuchAction;
  }
  if (!ds) {
    why = "no action information";
    return kMissingAttribute;
  }
  txn = uidValue(*ds, DCM_TransactionUID);
  if (txn.empty()) {
    why = "no Transaction UID (0008,1195)";
    return kMissingAttribute;
  }
  if (!dicom::isValidUid(txn)) {
    why = "invalid Transaction UID";
    return kInvalidAttributeValue;
  }
  refs = readRefs(*ds, DCM_ReferencedSOPSequence, nullptr);
  if (refs.empty()) {
    why = "no Referenced SOP Sequence (0008,1199) items";
    return kMissingAttribute;
  }
  for (const auto& r : refs)
    if (r.classUid.empty() || r.instanceUid.empty()) {
      why = "a Referenced SOP Sequence item lacks its SOP Class or Instance UID";
      return kMissingAttribute;
    }
  return STATUS_Success;
}

ReportDelivery sendReport(T_ASC_Association* assoc, unsigned char presId, const CommitmentResult& result, int timeout) {
  T_DIMSE_Message m;
  std::memset(&m, 0, sizeof m);
  m.CommandField = DIMSE_N_EVENT_REPORT_RQ;
  auto& e = m.msg.NEventReportRQ;
  e.MessageID = assoc->nextMsgID++;
  OFStandard::strlcpy(e.AffectedSOPClassUID, UID_StorageCommitmentPushModelSOPClass, sizeof e.AffectedSOPClassUID);
  OFStandard::strlcpy(e.AffectedSOPInstanceUID, UID_StorageCommitmentPushModelSOPInstance,
                      sizeof e.AffectedSOPInstanceUID);
  e.EventTypeID = result.failed.empty() ? 1 : 2;
  e.DataSetType = DIMSE_DATASET_PRESENT;
  DcmDataset ds;
  writeEventReport(result, ds);
  if (DIMSE_sendMessageUsingMemoryData(assoc, presId, &m, nullptr, &ds, nullptr, nullptr).bad())
    return ReportDelivery::Failed;
  T_DIMSE_Message rsp;
  std::memset(&rsp, 0, sizeof rsp);
  T_ASC_PresentationContextID rspPres = 0;
  DcmDataset* detail = nullptr;
  OFCondition c = DIMSE_receiveCommand(assoc, DIMSE_NONBLOCKING, timeout, &rspPres, &rsp, &detail);
  delete detail;
  if (c == DUL_PEERREQUESTEDRELEASE) {
    ASC_acknowledgeRelease(assoc);
    return ReportDelivery::PeerReleased;
  }
  if (c.bad() || rsp.CommandField != DIMSE_N_EVENT_REPORT_RSP) return ReportDelivery::Failed;
  if (rsp.msg.NEventReportRSP.DataSetType != DIMSE_DATASET_NULL) receiveDataSet(assoc, rspPres, timeout);
  return ReportDelivery::Delivered;
}

}  // namespace

void writeCommitmentRequest(const std::string& txn, const std::vector<SopRef>& refs, DcmDataset& out) {
  out.putAndInsertString(DCM_TransactionUID, txn.c_str());
  for (const auto& r : refs) addRefs(out, DCM_ReferencedSOPSequence, r);
}

void writeEventReport(const CommitmentResult& result, DcmDataset& out) {
  out.putAndInsertString(DCM_TransactionUID, result.transactionUid.c_str());
  for (const auto& r : result.committed) addRefs(out, DCM_ReferencedSOPSequence, r);
  for (const auto& [r, reason] : result.failed) addRefs(out, DCM_FailedSOPSequence, r, reason);
}

CommitmentResult readEventReport(DcmDataset& ds) {
  CommitmentResult r;
  r.transactionUid = uidValue(ds, DCM_TransactionUID);
  r.committed = readRefs(ds, DCM_ReferencedSOPSequence, nullptr);
  std::vector<std::uint16_t> reasons;
  auto failed = readRefs(ds, DCM_FailedSOPSequence, &reasons);
  for (std::size_t i = 0; i < failed.size(); ++i) r.failed.emplace_back(failed[i], reasons[i]);
  return r;
}

bool serveCommitmentRequest(T_ASC_Association* assoc, T_DIMSE_Message& msg, unsigned char presId,
                            ICommitmentHandler& handler, int timeout, std::optional<PendingReport>* report) {
  T_DIMSE_N_ActionRQ& req = msg.msg.NActionRQ;
  std::unique_ptr<DcmDataset> ds;
  if (req.DataSetType != DIMSE_DATASET_NULL && !(ds = receiveDataSet(assoc, presId, timeout))) {
    log::warn("N-ACTION: cannot receive the action information");
    return false;
  }
  std::string txn, why;
  std::vector<SopRef> refs;
  std::uint16_t status = checkRequest(req, ds.get(), txn, refs, why);

  T_DIMSE_Message rsp;
  std::memset(&rsp, 0, sizeof rsp);
  rsp.CommandField = DIMSE_N_ACTION_RSP;
  auto& r = rsp.msg.NActionRSP;
  r.MessageIDBeingRespondedTo = req.MessageID;
  OFStandard::strlcpy(r.AffectedSOPClassUID, req.RequestedSOPClassUID, sizeof r.AffectedSOPClassUID);
  OFStandard::strlcpy(r.AffectedSOPInstanceUID, req.RequestedSOPInstanceUID, sizeof r.AffectedSOPInstanceUID);
  r.ActionTypeID = req.ActionTypeID;
  r.DimseStatus = status;
  r.DataSetType = DIMSE_DATASET_NULL;
  r.opts = O_NACTION_AFFECTEDSOPCLASSUID | O_NACTION_AFFECTEDSOPINSTANCEUID | O_NACTION_ACTIONTYPEID;
  std::unique_ptr<DcmDataset> detail;
  if (!why.empty()) {
    detail = std::make_unique<DcmDataset>();
    detail->putAndInsertString(DCM_ErrorComment, why.substr(0, 64).c_str());
  }
  std::string calling = assoc->params->DULparams.callingAPTitle;
  if (status != STATUS_Success) {
    log::warn("storage commitment request from ", calling, " refused (0x", std::hex, status, std::dec, "): ", why);
    return DIMSE_sendMessageUsingMemoryData(assoc, presId, &rsp, detail.get(), nullptr, nullptr, nullptr).good();
  }
  if (DIMSE_sendMessageUsingMemoryData(assoc, presId, &rsp, nullptr, nullptr, nullptr, nullptr).bad()) return false;
  PendingReport p;
  p.result = handler.commit(txn, refs);
  p.presId = presId;
  p.callingAet = calling;
  log::info("storage commitment ", txn, " from ", calling, ": ", p.result.committed.size(), " committed, ",
            p.result.failed.size(), " failed");
  *report = std::move(p);
  return true;
}

ReportDelivery sendReportOnAssociation(T_ASC_Association* assoc, const PendingReport& report, int timeout) {
  return sendReport(assoc, report.presId, report.result, timeout);
}

void sendReportOnNewAssociation(const PeerAddress& peer, const CommitmentResult& result) {
  ProposedContext pc{UID_StorageCommitmentPushModelSOPClass,
                     {UID_LittleEndianExplicitTransferSyntax, UID_LittleEndianImplicitTransferSyntax},
                     true};
  auto a = ScuAssociation::open(peer, {pc});
  unsigned char id = a->contextFor(UID_StorageCommitmentPushModelSOPClass);
  if (!id) throw std::runtime_error(peer.calledAet + " did not accept storage commitment reports");
  if (sendReport(a->raw(), id, result, a->timeoutSeconds()) != ReportDelivery::Delivered)
    throw std::runtime_error("no N-EVENT-REPORT response from " + peer.calledAet);
  a->release();
}

}  // namespace atrium::dimse
