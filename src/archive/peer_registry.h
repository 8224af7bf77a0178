#pragma once
// The DICOM peers Atrium knows: those of the config file (read-only) and those added at run time
// through the REST API (kept in the index database). Used for C-MOVE destinations, forwarding and
// storage commitment reports.
#include <optional>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/config.h"
#include "dimse/peer_access.h"
#include "dimse/scu_association.h"

namespace atrium::index {
class IndexDatabase;
}

namespace atrium {

struct PeerError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// How we reach a peer: its address, our AE title and PDU size from the config.
dimse::PeerAddress peerAddress(const Peer& peer, const Config& config);

class PeerRegistry : public dimse::IPeerDirectory {
 public:
  PeerRegistry(const std::vector<Peer>& configured, index::IndexDatabase& db);

  std::optional<Peer> find(const std::string& aet) const override;
  struct Entry {
    Peer peer;
    bool fromConfig = false;
  };
  std::vector<Entry> list() const;
  // Adds or updates a run-time peer; throws PeerError for an invalid one or one of the config file.
  void add(const Peer& peer);
  // false if unknown; throws PeerError for a peer of the config file.
  bool remove(const std::string& aet);

 private:
  std::vector<Peer> configured_;
  index::IndexDatabase& db_;
  mutable std::shared_mutex mutex_;
  std::vector<Peer> added_;
};

}  // namespace atrium
