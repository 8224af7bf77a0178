#include "dimse/retrieve_service.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmnet/dimse.h>

#include <atomic>
#include <cstring>
#include <memory>

#include "common/log.h"

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

template <typename Rsp>
void fillCounts(Rsp& rsp, const SubOperations& ops, unsigned short optsMask) {
  rsp.NumberOfRemainingSubOperations = static_cast<DIC_US>(ops.remaining);
  rsp.NumberOfCompletedSubOperations = static_cast<DIC_US>(ops.completed);
  rsp.NumberOfFailedSubOperations = static_cast<DIC_US>(ops.failed);
  rsp.NumberOfWarningSubOperations = static_cast<DIC_US>(ops.warning);
  rsp.opts |= optsMask;
}

std::unique_ptr<DcmDataset> commentDetail(const std::string& comment) {
  if (comment.empty()) return nullptr;
  auto d = std::make_unique<DcmDataset>();
  d->putAndInsertString(DCM_ErrorComment, comment.substr(0, 64).c_str());
  return d;
}

std::unique_ptr<DcmDataset> receiveIdentifier(T_ASC_Association* assoc, unsigned char presId, int timeout) {
  DcmDataset* raw = nullptr;
  T_ASC_PresentationContextID id = presId;
  if (DIMSE_receiveDataSetInMemory(assoc, DIMSE_NONBLOCKING, timeout, &id, &raw, nullptr, nullptr).bad()) {
    delete raw;
    return nullptr;
  }
  return std::unique_ptr<DcmDataset>(raw);
}

constexpr unsigned short kMoveCounts = O_MOVE_NUMBEROFREMAININGSUBOPERATIONS | O_MOVE_NUMBEROFCOMPLETEDSUBOPERATIONS |
                                       O_MOVE_NUMBEROFFAILEDSUBOPERATIONS | O_MOVE_NUMBEROFWARNINGSUBOPERATIONS;
constexpr unsigned short kGetCounts = O_GET_NUMBEROFREMAININGSUBOPERATIONS | O_GET_NUMBEROFCOMPLETEDSUBOPERATIONS |
                                      O_GET_NUMBEROFFAILEDSUBOPERATIONS | O_GET_NUMBEROFWARNINGSUBOPERATIONS;

}  // namespace

bool serveMove(T_ASC_Association* assoc, T_DIMSE_Message& msg, unsigned char presId, IRetrieveRequestHandler& handler,
               const RetrieveSettings& settings) {
  T_DIMSE_C_MoveRQ& req = msg.msg.CMoveRQ;
  auto identifier = receiveIdentifier(assoc, presId, settings.timeoutSeconds);
  if (!identifier) return false;

  T_DIMSE_C_MoveRSP rsp;
  std::memset(&rsp, 0, sizeof rsp);
  rsp.MessageIDBeingRespondedTo = req.MessageID;
  OFStandard::strlcpy(rsp.AffectedSOPClassUID, req.AffectedSOPClassUID, sizeof rsp.AffectedSOPClassUID);
  rsp.opts = O_MOVE_AFFECTEDSOPCLASSUID;
  auto finish = [&](std::uint16_t status, const std::string& comment, DcmDataset* ids) {
    rsp.DimseStatus = status;
    rsp.DataSetType = ids ? DIMSE_DATASET_PRESENT : DIMSE_DATASET_NULL;
    auto detail = commentDetail(comment);
    log::info("C-MOVE to ", req.MoveDestination, ": status 0x", std::hex, status, std::dec,
              comment.empty() ? "" : " (" + comment + ")");
    return DIMSE_sendMoveResponse(assoc, presId, &req, &rsp, ids, detail.get()).good();
  };

  auto destination = handler.moveDestination(req.MoveDestination);
  if (!destination)
    return finish(STATUS_MOVE_Refused_MoveDestinationUnknown,
                  std::string("unknown move destination ") + req.MoveDestination, nullptr);
  std::vector<SendItem> items;
  std::string comment;
  std::uint16_t status = handler.resolve(req.AffectedSOPClassUID, *identifier, items, comment);
  if (status != STATUS_Success) return finish(status, comment, nullptr);

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
        if (ops.remaining > 0 && !cancel) {
          rsp.DimseStatus = STATUS_Pending;
          rsp.DataSetType = DIMSE_DATASET_NULL;
          fillCounts(rsp, ops, kMoveCounts);
          if (DIMSE_sendMoveResponse(assoc, presId, &req, &rsp, nullptr, nullptr).bad()) {
            broken = true;
            cancel = true;
          }
        }
      },
      &cancel, MoveOriginator{assoc->params->DULparams.callingAPTitle, req.MessageID});
  if (broken) return false;
  // Items skipped after a cancel were reported as failures by sendItems; they remain, not fail.
  if (cancel) {
    ops.remaining = static_cast<unsigned>(items.size()) - ops.completed - ops.warning;
    ops.failed = 0;
  }
  fillCounts(rsp, ops, kMoveCounts);
  auto failed = cancel ? nullptr : ops.failedList();
  return finish(ops.finalStatus(cancel), "", failed.get());
}

bool serveGet(T_ASC_Association* assoc, T_DIMSE_Message& msg, unsigned char presId, IRetrieveRequestHandler& handler,
              const RetrieveSettings& settings) {
  T_DIMSE_C_GetRQ& req = msg.msg.CGetRQ;
  auto identifier = receiveIdentifier(assoc, presId, settings.timeoutSeconds);
  if (!identifier) return false;

  T_DIMSE_C_GetRSP rsp;
  std::memset(&rsp, 0, sizeof rsp);
  rsp.MessageIDBeingRespondedTo = req.MessageID;
  OFStandard::strlcpy(rsp.AffectedSOPClassUID, req.AffectedSOPClassUID, sizeof rsp.AffectedSOPClassUID);
  rsp.opts = O_GET_AFFECTEDSOPCLASSUID;
  auto finish = [&](std::uint16_t status, const std::string& comment, DcmDataset* ids) {
    rsp.DimseStatus = status;
    rsp.DataSetType = ids ? DIMSE_DATASET_PRESENT : DIMSE_DATASET_NULL;
    auto detail = commentDetail(comment);
    log::info("C-GET: status 0x", std::hex, status, std::dec, comment.empty() ? "" : " (" + comment + ")");
    return DIMSE_sendGetResponse(assoc, presId, &req, &rsp, ids, detail.get()).good();
  };

  std::vector<SendItem> items;
  std::string comment;
  std::uint16_t status = handler.resolve(req.AffectedSOPClassUID, *identifier, items, comment);
  if (status != STATUS_Success) return finish(status, comment, nullptr);

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
    if (ops.remaining > 0) {
      rsp.DimseStatus = STATUS_Pending;
      rsp.DataSetType = DIMSE_DATASET_NULL;
      fillCounts(rsp, ops, kGetCounts);
      if (DIMSE_sendGetResponse(assoc, presId, &req, &rsp, nullptr, nullptr).bad()) return false;
    }
  }
  fillCounts(rsp, ops, kGetCounts);
  auto failed = cancelled ? nullptr : ops.failedList();
  return finish(ops.finalStatus(cancelled), "", failed.get());
}

}  // namespace atrium::dimse
