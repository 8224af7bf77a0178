#pragma once
// C-STORE SCU: sends files as they are (bit-preserving) when the peer accepts their transfer
// syntax, otherwise converts to one it accepted (DCMTK codecs).
#include <atomic>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "dimse/scu_association.h"

namespace atrium::dimse {

struct SendItem {
  std::filesystem::path file;
  std::string sopClassUid, sopInstanceUid, transferSyntaxUid;
};

struct SendOutcome {
  const SendItem* item = nullptr;
  bool sent = false;               // a response was received
  unsigned short status = 0xFFFF;  // DIMSE status of the response
  std::string error;               // why it failed, if it did
  bool success() const { return sent && (status == 0 || (status & 0xF000) == 0xB000); }
};

// The contexts proposed for a batch: each (SOP class, file syntax) pair alone, plus
// Explicit LE / Implicit LE per SOP class as the fallback; for a peer with its own syntaxes
// (`preferred`), one context per SOP class and syntax, in its order.
std::vector<ProposedContext> contextsFor(const std::vector<const SendItem*>& items,
                                         const std::vector<std::string>& preferred = {});

// Who asked for a C-STORE sub-operation (C-MOVE), carried in the request.
struct MoveOriginator {
  std::string aet;
  unsigned short messageId = 0;
};

// One C-STORE on an open association (ours as requestor, or a C-GET peer's): the first of the
// `preferred` syntaxes that was accepted (converted to it: DCMTK's encoders, GDCM for JPEG 2000);
// else the file's bytes unchanged when its syntax was accepted for its SOP class, else converted
// to one that was.
SendOutcome storeInstance(T_ASC_Association* assoc, const SendItem& item, unsigned short messageId, int timeoutSeconds,
                          const MoveOriginator& originator = {}, const std::vector<std::string>& preferred = {});

// Sends the items in order over as many associations as the 128-context limit needs.
// onResult is called once per item (from this thread).
void sendItems(const PeerAddress& peer, const std::vector<const SendItem*>& items,
               const std::function<void(const SendOutcome&)>& onResult, const std::atomic<bool>* cancel = nullptr,
               const MoveOriginator& originator = {});

}  // namespace atrium::dimse
