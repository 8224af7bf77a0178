#pragma once
// DICOM TLS: DCMTK's transport layer set up the one way every association of ours uses it — the
// BCP 195 profile (TLS 1.2 and 1.3 only; optionally the non-downgrading one), our certificate and
// key, the trusted CAs, the peer's certificate checked (for a client, also against the host name
// it dialled) — and, when a certificate is refused, a log line and an error that say why.
#include <memory>
#include <string>

#include "config/config.h"

class DcmTLSTransportLayer;

namespace atrium::dimse {

enum class TlsRole { Server, Client };

// Throws std::runtime_error naming the file or setting at fault. `host`: for a client, the name or
// address the peer's certificate must be issued for.
std::unique_ptr<DcmTLSTransportLayer> makeTlsLayer(const TlsConfig& tls, TlsRole role, const std::string& host = {});

// Why this thread's last TLS handshake refused the peer's certificate ("" when none was refused);
// read and cleared.
std::string takeTlsRefusal();

}  // namespace atrium::dimse
