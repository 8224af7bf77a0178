#pragma once
// The peer of a client command from its HOST:PORT and the options every client shares: --aet,
// --called, --timeout and the TLS ones (--tls, --tls-cert, --tls-key, --tls-ca, --tls-profile).
#include <string>

#include "cli/args.h"
#include "dimse/scu_association.h"

namespace atrium::cli {

// Throws std::invalid_argument / UsageError with a one-line reason.
dimse::PeerAddress peerFromArgs(const Args& args, const std::string& hostPort, int defaultTimeoutSeconds);

}  // namespace atrium::cli
