#pragma once
// Who may associate, and for what: a calling AE title must be a known peer's (or unknown ones must
// be accepted), the association must come from that peer's host (by name or address), and each
// presentation context must belong to a service the peer may use. Pure functions with the host
// resolution passed in, so that they are tested without a network.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"

namespace atrium::dimse {

// The peers the archive knows (the config file's, and those added over REST).
class IPeerDirectory {
 public:
  virtual ~IPeerDirectory() = default;
  virtual std::optional<Peer> find(const std::string& aet) const = 0;
};

// Resolves a host name or address to its addresses (textual, as inet_ntop writes them).
using HostResolver = std::function<std::vector<std::string>(const std::string& host)>;
std::vector<std::string> resolveHost(const std::string& host);

struct CallerDecision {
  bool accepted = false;
  std::string reason;        // why not, for the log
  std::optional<Peer> peer;  // the known peer it is; none: an accepted unknown caller
  bool may(DicomService service) const;
};

CallerDecision checkCaller(const Config& config, const IPeerDirectory& peers, const std::string& callingAet,
                           const std::string& remoteAddress, const HostResolver& resolve);

// The service a presentation context asks for; none for Verification (every accepted peer may
// echo) and for what is not ours to refuse here. requestorIsScp: a C-GET's storage sub-operations.
std::optional<DicomService> serviceOf(const std::string& abstractSyntax, bool requestorIsScp);
const char* serviceName(DicomService service);

}  // namespace atrium::dimse
