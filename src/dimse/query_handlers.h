#pragma once
// What the DIMSE layer asks of whoever answers queries and retrievals (the archive implements
// them over the query model). Identifiers stay DCMTK data sets at this boundary.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dimse/scu_association.h"
#include "dimse/store_scu.h"

class DcmDataset;

namespace atrium::dimse {

class IFindRequestHandler {
 public:
  virtual ~IFindRequestHandler() = default;
  // Stream each match to onMatch (it sends a pending response; false = cancelled, stop).
  // Returns the final DIMSE status (0 success; A900/C000 failures with errorComment).
  virtual std::uint16_t find(const std::string& sopClassUid, DcmDataset& identifier,
                             const std::function<bool(DcmDataset&)>& onMatch, std::string& errorComment) = 0;
};

class IRetrieveRequestHandler {
 public:
  virtual ~IRetrieveRequestHandler() = default;
  // The instances an identifier selects; a failure status with errorComment when it cannot.
  virtual std::uint16_t resolve(const std::string& sopClassUid, DcmDataset& identifier, std::vector<SendItem>& items,
                                std::string& errorComment) = 0;
  // Address of a C-MOVE destination, if known.
  virtual std::optional<PeerAddress> moveDestination(const std::string& aet) = 0;
};

}  // namespace atrium::dimse
