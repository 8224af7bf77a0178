#include "dimse/peer_access.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>

#include "dicom/sop_classes.h"
#include "dicom/text.h"

namespace atrium::dimse {
namespace {

// "::ffff:10.1.2.3" (an IPv4 peer on a dual-stack socket) is 10.1.2.3.
std::string plainAddress(const std::string& a) { return a.rfind("::ffff:", 0) == 0 ? a.substr(7) : a; }

}  // namespace

std::vector<std::string> resolveHost(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::vector<std::string> out;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0) return out;
  for (addrinfo* p = res; p; p = p->ai_next) {
    char buf[INET6_ADDRSTRLEN] = {0};
    const void* addr = p->ai_family == AF_INET
                           ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(p->ai_addr)->sin_addr)
                           : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(p->ai_addr)->sin6_addr);
    if (inet_ntop(p->ai_family, addr, buf, sizeof buf)) out.push_back(plainAddress(buf));
  }
  freeaddrinfo(res);
  return out;
}

bool CallerDecision::may(DicomService service) const {
  if (!accepted) return false;
  if (!peer || peer->services.empty()) return true;
  return std::find(peer->services.begin(), peer->services.end(), service) != peer->services.end();
}

CallerDecision checkCaller(const Config& config, const IPeerDirectory& peers, const std::string& callingAet,
                           const std::string& remoteAddress, const HostResolver& resolve) {
  CallerDecision d;
  const std::string aet = dicom::trim(callingAet);
  d.peer = peers.find(aet);
  if (!d.peer) {
    d.accepted = config.acceptUnknownAets.value_or(config.peers.empty());
    if (!d.accepted) d.reason = "calling AE title '" + aet + "' is no configured peer (accept_unknown_aets is off)";
    return d;
  }
  const std::string from = plainAddress(remoteAddress);
  auto addresses = resolve(d.peer->host);
  if (std::find(addresses.begin(), addresses.end(), from) == addresses.end()) {
    d.reason = "calling AE title '" + aet + "' belongs to host " + d.peer->host + ", not to " + from;
    return d;
  }
  d.accepted = true;
  return d;
}

std::optional<DicomService> serviceOf(const std::string& abstractSyntax, bool requestorIsScp) {
  if (dicom::isStorageSopClass(abstractSyntax)) return requestorIsScp ? DicomService::Retrieve : DicomService::Store;
  switch (dicom::queryRetrieveService(abstractSyntax)) {
    case dicom::QrService::Find:
      return DicomService::Query;
    case dicom::QrService::Move:
    case dicom::QrService::Get:
      return DicomService::Retrieve;
    case dicom::QrService::None:
      break;
  }
  // MPPS comes from the modalities that use the worklist: the same permission.
  if (dicom::isWorklistSopClass(abstractSyntax) || dicom::isMppsSopClass(abstractSyntax)) return DicomService::Worklist;
  if (dicom::isStorageCommitmentSopClass(abstractSyntax)) return DicomService::Commitment;
  return std::nullopt;
}

const char* serviceName(DicomService service) {
  switch (service) {
    case DicomService::Store:
      return "store";
    case DicomService::Query:
      return "query";
    case DicomService::Retrieve:
      return "retrieve";
    case DicomService::Worklist:
      return "worklist";
    case DicomService::Commitment:
      return "commitment";
  }
  return "?";
}

}  // namespace atrium::dimse
