#include "dimse/store_scu.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/dcmnet/dimse.h>

#include <cstring>
#include <map>
#include <set>

#include "dicom/transcode.h"
#include "dimse/raw_store.h"

namespace atrium::dimse {
namespace {

constexpr std::size_t kMaxContexts = 128;

std::size_t contextCost(const std::set<std::pair<std::string, std::string>>& pairs,
                        const std::set<std::string>& classes) {
  return pairs.size() + classes.size();
}

// An accepted context for this abstract syntax whose *accepted* syntax is ts (DCMTK's lookup by
// transfer syntax also matches contexts where ts was merely proposed).
unsigned char acceptedContext(T_ASC_Association* assoc, const std::string& as, const std::string& ts) {
  int n = ASC_countPresentationContexts(assoc->params);
  for (int i = 0; i < n; ++i) {
    T_ASC_PresentationContext pc;
    if (ASC_getPresentationContext(assoc->params, i, &pc).bad()) continue;
    if (pc.resultReason == ASC_P_ACCEPTANCE && as == pc.abstractSyntax && ts == pc.acceptedTransferSyntax)
      return pc.presentationContextID;
  }
  return 0;
}

unsigned char anyAcceptedContext(T_ASC_Association* assoc, const std::string& as, std::string& ts) {
  unsigned char id = ASC_findAcceptedPresentationContextID(assoc, as.c_str());
  if (id) {
    T_ASC_PresentationContext pc;
    ASC_findAcceptedPresentationContext(assoc->params, id, &pc);
    ts = pc.acceptedTransferSyntax;
  }
  return id;
}

SendOutcome sendConverted(T_ASC_Association* assoc, const SendItem& item, unsigned char presId, const std::string& ts,
                          unsigned short messageId, int timeout, const MoveOriginator& originator) {
  SendOutcome out;
  out.item = &item;
  DcmFileFormat ff;
  OFCondition c;
  if (!dicom::loadInTransferSyntax(item.file, item.transferSyntaxUid, ts, ff, out.error)) {
    if (out.error.rfind("cannot convert", 0) == 0) out.error += ", the only syntax accepted";
    return out;
  }
  DcmDataset* ds = ff.getDataset();
  T_DIMSE_C_StoreRQ req;
  std::memset(&req, 0, sizeof req);
  req.MessageID = messageId;
  if (!originator.aet.empty()) {
    OFStandard::strlcpy(req.MoveOriginatorApplicationEntityTitle, originator.aet.c_str(),
                        sizeof req.MoveOriginatorApplicationEntityTitle);
    req.MoveOriginatorID = originator.messageId;
    req.opts = O_STORE_MOVEORIGINATORAETITLE | O_STORE_MOVEORIGINATORID;
  }
  OFStandard::strlcpy(req.AffectedSOPClassUID, item.sopClassUid.c_str(), sizeof req.AffectedSOPClassUID);
  OFStandard::strlcpy(req.AffectedSOPInstanceUID, item.sopInstanceUid.c_str(), sizeof req.AffectedSOPInstanceUID);
  req.DataSetType = DIMSE_DATASET_PRESENT;
  req.Priority = DIMSE_PRIORITY_MEDIUM;
  T_DIMSE_C_StoreRSP rsp;
  std::memset(&rsp, 0, sizeof rsp);
  DcmDataset* detail = nullptr;
  c = DIMSE_storeUser(assoc, presId, &req, nullptr, ds, nullptr, nullptr, DIMSE_NONBLOCKING, timeout, &rsp, &detail);
  if (c.bad()) {
    delete detail;
    out.error = std::string("C-STORE failed: ") + c.text();
    return out;
  }
  out.sent = true;
  out.status = rsp.DimseStatus;
  const char* comment = nullptr;
  if (!out.success() && detail && detail->findAndGetString(DCM_ErrorComment, comment).good() && comment)
    out.error = comment;
  delete detail;
  return out;
}

}  // namespace

SendOutcome storeInstance(T_ASC_Association* assoc, const SendItem& item, unsigned short messageId, int timeout,
                          const MoveOriginator& originator, const std::vector<std::string>& preferred) {
  // A peer with its own syntaxes: the first of them it accepted, the file converted to it (or its
  // bytes unchanged where it is the file's own).
  for (const auto& ts : preferred) {
    unsigned char presId = acceptedContext(assoc, item.sopClassUid, ts);
    if (!presId) continue;
    if (ts != item.transferSyntaxUid) return sendConverted(assoc, item, presId, ts, messageId, timeout, originator);
    break;
  }
  // The file's own syntax accepted: its bytes go out unchanged.
  if (unsigned char presId = acceptedContext(assoc, item.sopClassUid, item.transferSyntaxUid)) {
    auto offset = datasetOffset(item.file);
    std::error_code ec;
    auto size = std::filesystem::file_size(item.file, ec);
    // PDVs carry even lengths (PS3.8 9.3.5.1): an odd-length data set cannot go out as it is.
    if (offset && !ec && *offset <= size && (size - *offset) % 2 == 0) {
      SendOutcome out;
      out.item = &item;
      auto r = storeFileBytes(assoc, presId, messageId, item.sopClassUid, item.sopInstanceUid, item.file, *offset,
                              timeout, originator.aet, originator.messageId);
      if (!r.ok) {
        out.error = "C-STORE failed: " + r.error;
        return out;
      }
      out.sent = true;
      out.status = r.status;
      if (!out.success()) out.error = r.errorComment;
      return out;
    }
    return sendConverted(assoc, item, presId, item.transferSyntaxUid, messageId, timeout, originator);
  }
  std::string ts;
  unsigned char presId = anyAcceptedContext(assoc, item.sopClassUid, ts);
  if (!presId) {
    SendOutcome out;
    out.item = &item;
    out.error = "peer accepted no presentation context for SOP class " + item.sopClassUid;
    return out;
  }
  return sendConverted(assoc, item, presId, ts, messageId, timeout, originator);
}

std::vector<ProposedContext> contextsFor(const std::vector<const SendItem*>& items,
                                         const std::vector<std::string>& preferred) {
  std::vector<ProposedContext> out;
  std::set<std::pair<std::string, std::string>> pairs;
  std::set<std::string> classes;
  if (!preferred.empty()) {
    // One context per syntax, in the peer's order: whichever it accepts, we know which it took.
    for (const auto* it : items)
      if (classes.insert(it->sopClassUid).second)
        for (const auto& ts : preferred) out.push_back({it->sopClassUid, {ts}});
    return out;
  }
  for (const auto* it : items) {
    if (pairs.insert({it->sopClassUid, it->transferSyntaxUid}).second)
      out.push_back({it->sopClassUid, {it->transferSyntaxUid}});
    if (classes.insert(it->sopClassUid).second)
      out.push_back(
          {it->sopClassUid, {UID_LittleEndianExplicitTransferSyntax, UID_LittleEndianImplicitTransferSyntax}});
  }
  return out;
}

void sendItems(const PeerAddress& peer, const std::vector<const SendItem*>& items,
               const std::function<void(const SendOutcome&)>& onResult, const std::atomic<bool>* cancel,
               const MoveOriginator& originator) {
  std::size_t i = 0;
  while (i < items.size()) {
    // Grow the batch while its contexts fit in one association.
    std::set<std::pair<std::string, std::string>> pairs;
    std::set<std::string> classes;
    std::size_t end = i;
    while (end < items.size()) {
      auto p2 = pairs;
      auto c2 = classes;
      p2.insert({items[end]->sopClassUid, items[end]->transferSyntaxUid});
      c2.insert(items[end]->sopClassUid);
      const std::size_t cost =
          peer.transferSyntaxes.empty() ? contextCost(p2, c2) : c2.size() * peer.transferSyntaxes.size();
      if (cost > kMaxContexts) break;
      pairs.swap(p2);
      classes.swap(c2);
      ++end;
    }
    std::vector<const SendItem*> batch(items.begin() + static_cast<long>(i), items.begin() + static_cast<long>(end));
    std::unique_ptr<ScuAssociation> a;
    std::string openError;
    try {
      a = ScuAssociation::open(peer, contextsFor(batch, peer.transferSyntaxes));
    } catch (const std::exception& e) {
      openError = e.what();
    }
    for (const auto* item : batch) {
      if (!a || (cancel && *cancel)) {
        SendOutcome o;
        o.item = item;
        o.error = a ? "cancelled" : openError;
        onResult(o);
        continue;
      }
      SendOutcome o =
          storeInstance(a->raw(), *item, a->nextMessageId(), a->timeoutSeconds(), originator, peer.transferSyntaxes);
      onResult(o);
      if (!o.sent && o.error.rfind("C-STORE failed", 0) == 0) {
        // The association broke; reopen for the rest of the batch.
        a.reset();
        try {
          std::vector<const SendItem*> rest;
          bool after = false;
          for (const auto* x : batch) {
            if (after) rest.push_back(x);
            if (x == item) after = true;
          }
          if (!rest.empty()) a = ScuAssociation::open(peer, contextsFor(rest, peer.transferSyntaxes));
        } catch (const std::exception& e) {
          openError = e.what();
        }
      }
    }
    if (a) a->release();
    i = end;
  }
}

}  // namespace atrium::dimse
