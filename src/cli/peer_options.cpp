#include "cli/peer_options.h"

namespace atrium::cli {

dimse::PeerAddress peerFromArgs(const Args& args, const std::string& hostPort, int defaultTimeoutSeconds) {
  dimse::PeerAddress peer = dimse::parseHostPort(hostPort);
  peer.callingAet = args.get("aet", "ATRIUM");
  peer.calledAet = args.get("called", "ANY-SCP");
  peer.timeoutSeconds = args.getInt("timeout", defaultTimeoutSeconds);
  const bool tlsOption = args.has("tls-cert") || args.has("tls-key") || args.has("tls-ca") || args.has("tls-profile");
  if (!args.has("tls")) {
    if (tlsOption) throw UsageError("--tls-cert, --tls-key, --tls-ca and --tls-profile need --tls");
    return peer;
  }
  TlsConfig tls;
  tls.certificate = args.get("tls-cert");
  tls.privateKey = args.get("tls-key");
  tls.caCertificates = args.all("tls-ca");
  if (tls.certificate.empty() != tls.privateKey.empty()) throw UsageError("--tls-cert and --tls-key go together");
  // Nothing is trusted by default: a certificate we cannot check is refused, so say which CAs count.
  if (tls.caCertificates.empty()) throw UsageError("--tls needs --tls-ca FILE (the CA certificates to trust)");
  std::string profile = args.get("tls-profile", "bcp195");
  if (profile != "bcp195" && profile != "bcp195-nd") throw UsageError("--tls-profile must be bcp195 or bcp195-nd");
  tls.nonDowngrading = profile == "bcp195-nd";
  peer.tls = tls;
  return peer;
}

}  // namespace atrium::cli
