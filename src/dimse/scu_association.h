#pragma once
// An outgoing association (the SCU side): proposed contexts in, accepted contexts out.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"

struct T_ASC_Network;
class DcmTLSTransportLayer;
struct T_ASC_Association;

namespace atrium::dimse {

struct PeerAddress {
  std::string host;
  int port = 104;
  std::string callingAet = "ATRIUM";
  std::string calledAet = "ANY-SCP";
  long maxPdu = 16384;
  int timeoutSeconds = 30;       // connect, ACSE and DIMSE
  std::optional<TlsConfig> tls;  // set: associate over TLS (the server's certificate checked against host)
  // Storage: the syntaxes to propose, in order of preference (each its own presentation context);
  // empty: each file's own syntax, then Explicit and Implicit VR Little Endian.
  std::vector<std::string> transferSyntaxes;
};

// "HOST:PORT" → address with defaults; throws std::invalid_argument with a one-line reason.
PeerAddress parseHostPort(const std::string& spec);

struct ProposedContext {
  std::string abstractSyntax;
  std::vector<std::string> transferSyntaxes;
  bool requestorIsScp = false;  // SCP/SCU role selection (a storage commitment report we send)
};

class ScuAssociation {
 public:
  ~ScuAssociation();
  ScuAssociation(const ScuAssociation&) = delete;
  ScuAssociation& operator=(const ScuAssociation&) = delete;

  // Connects and negotiates; throws std::runtime_error with the reason (rejection, refused...).
  static std::unique_ptr<ScuAssociation> open(const PeerAddress& peer, const std::vector<ProposedContext>& contexts);

  T_ASC_Association* raw() { return assoc_; }
  // The accepted context for an abstract syntax, 0 if none.
  unsigned char contextFor(const std::string& abstractSyntax) const;
  int timeoutSeconds() const { return timeout_; }
  unsigned short nextMessageId() { return ++messageId_; }
  void release();
  void abort();

 private:
  ScuAssociation() = default;
  std::unique_ptr<DcmTLSTransportLayer> tls_;  // outlives net_, which uses it
  T_ASC_Network* net_ = nullptr;
  T_ASC_Association* assoc_ = nullptr;
  int timeout_ = 30;
  unsigned short messageId_ = 0;
  bool open_ = false;
};

}  // namespace atrium::dimse
