#pragma once
// Where audit messages go: one XML message per line, appended to a file per UTC day under the data
// folder's audit/ (the day's file is the rotation), and, when configured, to a syslog collector
// (RFC 5424 messages over UDP, RFC 5426, or over TLS, RFC 5425). `serve` installs the trail; record() anywhere else in
// the process is then written there, and is a no-op when none is installed (the CLI tools).
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "audit/audit_message.h"
#include "audit/syslog_tls.h"

namespace atrium::audit {

class AuditTrail {
 public:
  // syslogTarget: "udp://HOST:PORT", "tls://HOST:PORT" (with `tls`: whom to trust, what to show) or
  // empty. Throws std::runtime_error for a bad target or unreadable TLS files.
  AuditTrail(std::filesystem::path dir, std::string sourceId, const std::string& syslogTarget = {},
             const SyslogTlsFiles& tls = {});
  ~AuditTrail();
  AuditTrail(const AuditTrail&) = delete;
  AuditTrail& operator=(const AuditTrail&) = delete;

  void record(Message m);

  // Messages at or after `since` (an ISO date or date-time prefix, empty: all) about `patientId`
  // (empty: any), oldest first, at most `limit`.
  std::vector<std::string> read(const std::string& since, const std::string& patientId, std::size_t limit) const;

 private:
  std::filesystem::path dir_;
  std::string sourceId_;
  std::string hostName_;  // HOSTNAME of the syslog messages
  int syslogSocket_ = -1;
  std::vector<unsigned char> syslogAddress_;  // a sockaddr_storage's bytes
  unsigned syslogAddressLength_ = 0;
  std::unique_ptr<SyslogTlsSender> syslogTls_;
  mutable std::mutex mutex_;
};

void install(AuditTrail* trail);  // nullptr: none
// Installs a trail for a scope (uninstalled however the scope ends).
struct ScopedInstall {
  explicit ScopedInstall(AuditTrail& trail) { install(&trail); }
  ~ScopedInstall() { install(nullptr); }
  ScopedInstall(const ScopedInstall&) = delete;
  ScopedInstall& operator=(const ScopedInstall&) = delete;
};
void record(Message m);
// A refused login, association or request (outcome: minor failure); `type` is the event type code.
void recordRefusal(Event event, const char* type, const std::string& user, const std::string& address,
                   const std::string& why);
AuditTrail* installed();

}  // namespace atrium::audit
