#include "dimse/retrieve_service.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmnet/dimse.h>

#include <atomic>
#include <cstring>
#include <memory>

#include "common/log.h"
#include "dimse/audit_events.h"
#include "dimse/receive.h"

namespace atrium::dimse {
namespace {

// Counting shared by C-MOVE and C-GET.
struct SubOperations {
  unsigned remaining = 0, completed = 0, failed = 0, warning = 0;
  std::string failedUids;  // '\'-separated

  void record(const SendOutcome& o) {
    --remaining;
    if (!o.success()) {
      ++failed;
      failedUids += (failedUids.empty() ? "" : "\\") + o.item->sopInstanceUid;
      log::warn("retrieve sub-operation ", o.item->sopInstanceUid, " failed: ", o.error);
    } else if (o.status != 0) {
      ++warning;
    } else {
      ++completed;
    }
  }

  std::uint16_t finalStatus(bool cancelled) const {
    if (cancelled) return STATUS_MOVE_Cancel;
    if (failed == 0 && warning == 0) return STATUS_Success;
    if (completed == 0 && warning == 0) return STATUS_MOVE_Refused_OutOfResourcesSubOperations;
    return STATUS_MOVE_Warning_SubOperationsCompleteOneOrMoreFailures;
  }

  std::unique_ptr<DcmDataset> failedList() const {
    if (failedUids.empty()) return nullptr;
    auto ds = std::make_unique<DcmDataset>();
    ds->putAndInsertString(DCM_FailedSOPInstanceUIDList, failedUids.c_str());
    return ds;
  }
};

std::unique_ptr<DcmDataset> commentDetail(const std::string& comment) {
  if (comment.empty()) return nullptr;
  auto d = std::make_unique<DcmDataset>();
  d->putAndInsertString(DCM_ErrorComment, comment.substr(0, 64).c_str());
  return d;
}

// The responses of one C-MOVE or C-GET: pending ones with counts, then the final one.
template <typename Req, typename Rsp>
class Responder {
 public:
  using SendFn = OFCondition (*)(T_ASC_Association*, T_ASC_PresentationContextID, const Req*, Rsp*, DcmDataset*,
                                 DcmDataset*);
  Responder(T_ASC_Association* assoc, unsigned char presId, const Req& req, SendFn send, unsigned short affectedOpt,
            unsigned short countOpts, std::string what)
      : assoc_(assoc), presId_(presId), req_(req), send_(send), countOpts_(countOpts), what_(std::move(what)) {
    std::memset(&rsp_, 0, sizeof rsp_);
    rsp_.MessageIDBeingRespondedTo = req.MessageID;
    OFStandard::strlcpy(rsp_.AffectedSOPClassUID, req.AffectedSOPClassUID, sizeof rsp_.AffectedSOPClassUID);
    rsp_.opts = affectedOpt;
  }

  bool pending(const SubOperations& ops) {
    rsp_.DimseStatus = STATUS_Pending;
    rsp_.DataSetType = DIMSE_DATASET_NULL;
    counts(ops);
    return send_(assoc_, presId_, &req_, &rsp_, nullptr, nullptr).good();
  }

  bool finish(std::uint16_t status, const std::string& comment, const SubOperations* ops = nullptr,
              DcmDataset* ids = nullptr) {
    if (ops) counts(*ops);
    rsp_.DimseStatus = status;
    rsp_.DataSetType = ids ? DIMSE_DATASET_PRESENT : DIMSE_DATASET_NULL;
    auto detail = commentDetail(comment);
    log::info(what_, ": status 0x", std::hex, status, std::dec, comment.empty() ? "" : " (" + comment + ")");
    return send_(assoc_, presId_, &req_, &rsp_, ids, detail.get()).good();
  }

 private:
  void counts(const SubOperations& ops) {
    rsp_.NumberOfRemainingSubOperations = static_cast<DIC_US>(ops.remaining);
    rsp_.NumberOfCompletedSubOperations = static_cast<DIC_US>(ops.completed);
    rsp_.NumberOfFailedSubOperations = static_cast<DIC_US>(ops.failed);
    rsp_.NumberOfWarningSubOperations = static_cast<DIC_US>(ops.warning);
    rsp_.opts |= countOpts_;
  }

  T_ASC_Association* assoc_;
  unsigned char presId_;
  const Req& req_;
  Rsp rsp_;
  SendFn send_;
  unsigned short countOpts_;
  std::string what_;
};

constexpr unsigned short kMoveCounts = O_MOVE_NUMBEROFREMAININGSUBOPERATIONS | O_MOVE_NUMBEROFCOMPLETEDSUBOPERATIONS |
                                       O_MOVE_NUMBEROFFAILEDSUBOPERATIONS | O_MOVE_NUMBEROFWARNINGSUBOPERATIONS;
constexpr unsigned short kGetCounts = O_GET_NUMBEROFREMAININGSUBOPERATIONS | O_GET_NUMBEROFCOMPLETEDSUBOPERATIONS |
                                      O_GET_NUMBEROFFAILEDSUBOPERATIONS | O_GET_NUMBEROFWARNINGSUBOPERATIONS;

}  // namespace

bool serveMove(T_ASC_Association* assoc, T_DIMSE_Message& msg, unsigned char presId, IRetrieveRequestHandler& handler,
               const RetrieveSettings& settings) {
  T_DIMSE_C_MoveRQ& req = msg.msg.CMoveRQ;
  auto identifier = receiveDataSet(assoc, presId, settings.timeoutSeconds);
  if (!identifier) return false;

  Responder<T_DIMSE_C_MoveRQ, T_DIMSE_C_MoveRSP> responder(assoc, presId, req, DIMSE_sendMoveResponse,
                                                           O_MOVE_AFFECTEDSOPCLASSUID, kMoveCounts,
                                                           std::string("C-MOVE to ") + req.MoveDestination);
  auto destination = handler.moveDestination(req.MoveDestination);
  if (!destination)
    return responder.finish(STATUS_MOVE_Refused_MoveDestinationUnknown,
                            std::string("unknown move destination ") + req.MoveDestination);
  std::vector<SendItem> items;
  std::string comment;
  std::uint16_t status = handler.resolve(req.AffectedSOPClassUID, *identifier, items, comment);
  if (status != STATUS_Success) return responder.finish(status, comment);

  SubOperations ops;
  ops.remaining = static_cast<unsigned>(items.size());
  destination->callingAet = settings.ownAet;
  destination->timeoutSeconds = settings.timeoutSeconds;
  std::vector<const SendItem*> pointers;
  for (const auto& i : items) pointers.push_back(&i);
  std::atomic<bool> cancel{false};
  bool broken = false;
  sendItems(
      *destination, pointers,
      [&](const SendOutcome& o) {
        ops.record(o);
        if (DIMSE_checkForCancelRQ(assoc, presId, req.MessageID).good()) cancel = true;
        if (ops.remaining > 0 && !cancel && !responder.pending(ops)) {
          broken = true;
          cancel = true;
        }
      },
      &cancel, MoveOriginator{assoc->params->DULparams.callingAPTitle, req.MessageID});
  if (broken) return false;
  // Items skipped after a cancel were reported as failures by sendItems; they remain, not fail.
  if (cancel) {
    ops.remaining = static_cast<unsigned>(items.size()) - ops.completed - ops.warning;
    ops.failed = 0;
  }
  auto failed = cancel ? nullptr : ops.failedList();
  auditRequest(assoc, audit::Event::InstancesTransferred, 'R', identifier.get(), ops.failed == 0 && !cancel,
               std::string("C-MOVE to ") + req.MoveDestination + ": " + std::to_string(ops.completed) + " sent, " +
                   std::to_string(ops.failed) + " failed",
               &items);
  return responder.finish(ops.finalStatus(cancel), "", &ops, failed.get());
}

bool serveGet(T_ASC_Association* assoc, T_DIMSE_Message& msg, unsigned char presId, IRetrieveRequestHandler& handler,
              const RetrieveSettings& settings) {
  T_DIMSE_C_GetRQ& req = msg.msg.CGetRQ;
  auto identifier = receiveDataSet(assoc, presId, settings.timeoutSeconds);
  if (!identifier) return false;

  Responder<T_DIMSE_C_GetRQ, T_DIMSE_C_GetRSP> responder(assoc, presId, req, DIMSE_sendGetResponse,
                                                         O_GET_AFFECTEDSOPCLASSUID, kGetCounts, "C-GET");
  std::vector<SendItem> items;
  std::string comment;
  std::uint16_t status = handler.resolve(req.AffectedSOPClassUID, *identifier, items, comment);
  if (status != STATUS_Success) return responder.finish(status, comment);

  SubOperations ops;
  ops.remaining = static_cast<unsigned>(items.size());
  bool cancelled = false;
  unsigned short subMessageId = 1000;
  for (const auto& item : items) {
    if (DIMSE_checkForCancelRQ(assoc, presId, req.MessageID).good()) {
      cancelled = true;
      break;
    }
    SendOutcome o = storeInstance(assoc, item, ++subMessageId, settings.timeoutSeconds);
    if (!o.sent && o.error.rfind("C-STORE failed", 0) == 0) return false;  // association broken
    ops.record(o);
    if (ops.remaining > 0 && !responder.pending(ops)) return false;
  }
  auto failed = cancelled ? nullptr : ops.failedList();
  auditRequest(assoc, audit::Event::InstancesTransferred, 'R', identifier.get(), ops.failed == 0 && !cancelled,
               "C-GET: " + std::to_string(ops.completed) + " sent, " + std::to_string(ops.failed) + " failed", &items);
  return responder.finish(ops.finalStatus(cancelled), "", &ops, failed.get());
}

}  // namespace atrium::dimse
