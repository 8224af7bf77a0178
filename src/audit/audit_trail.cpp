#include "audit/audit_trail.h"

#include <fcntl.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <stdexcept>

#include "common/log.h"

namespace atrium::audit {
namespace {

std::atomic<AuditTrail*> g_trail{nullptr};

std::string nowIso() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

// The value of attribute `name` in the first element that has it, after `from`.
std::string attribute(const std::string& xml, const std::string& name, std::size_t from = 0) {
  auto at = xml.find(" " + name + "=\"", from);
  if (at == std::string::npos) return {};
  at += name.size() + 3;
  auto end = xml.find('"', at);
  return end == std::string::npos ? std::string() : xml.substr(at, end - at);
}

// The patient's ID: the participant object of type 1 (person), role 1 (patient).
std::string patientOf(const std::string& xml) {
  auto at = xml.find("ParticipantObjectTypeCode=\"1\" ParticipantObjectTypeCodeRole=\"1\"");
  if (at == std::string::npos) return {};
  auto start = xml.rfind("<ParticipantObjectIdentification", at);
  return start == std::string::npos ? std::string() : attribute(xml, "ParticipantObjectID", start);
}

}  // namespace

AuditTrail::AuditTrail(std::filesystem::path dir, std::string sourceId, const std::string& syslogTarget,
                       const SyslogTlsFiles& tls)
    : dir_(std::move(dir)), sourceId_(std::move(sourceId)) {
  std::filesystem::create_directories(dir_);
  if (syslogTarget.empty()) return;
  char hostName[256] = "-";
  ::gethostname(hostName, sizeof hostName - 1);
  hostName_ = hostName;
  auto scheme = syslogTarget.find("://");
  auto colon = syslogTarget.rfind(':');
  std::string kind = scheme == std::string::npos ? std::string() : syslogTarget.substr(0, scheme);
  if ((kind != "udp" && kind != "tls") || colon <= scheme + 3 || colon + 1 >= syslogTarget.size())
    throw std::runtime_error("audit_syslog must be udp://HOST:PORT or tls://HOST:PORT, got '" + syslogTarget + "'");
  std::string host = syslogTarget.substr(scheme + 3, colon - scheme - 3);
  std::string port = syslogTarget.substr(colon + 1);
  if (kind == "tls") {
    syslogTls_ = std::make_unique<SyslogTlsSender>(host, port, tls);
    return;
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0 || !res)
    throw std::runtime_error("audit_syslog: cannot resolve " + host + ":" + port);
  syslogSocket_ = ::socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  syslogAddress_.assign(reinterpret_cast<unsigned char*>(res->ai_addr),
                        reinterpret_cast<unsigned char*>(res->ai_addr) + res->ai_addrlen);
  syslogAddressLength_ = res->ai_addrlen;
  freeaddrinfo(res);
  if (syslogSocket_ < 0) throw std::runtime_error(std::string("audit_syslog: ") + std::strerror(errno));
}

AuditTrail::~AuditTrail() {
  if (syslogSocket_ >= 0) ::close(syslogSocket_);
}

void AuditTrail::record(Message m) {
  if (m.time.empty()) m.time = nowIso();
  std::string line = toXml(m, sourceId_);
  std::string file = (dir_ / (m.time.substr(0, 10) + ".xml")).string();
  std::lock_guard lock(mutex_);
  // Appended with O_APPEND: earlier lines are never rewritten.
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) {
    log::error("audit: cannot open ", file, ": ", std::strerror(errno));
  } else {
    std::string out = line + "\n";
    if (::write(fd, out.data(), out.size()) != static_cast<ssize_t>(out.size()))
      log::error("audit: cannot write ", file, ": ", std::strerror(errno));
    ::close(fd);
  }
  if (syslogSocket_ >= 0 || syslogTls_) {
    // RFC 5424: facility authpriv (10), severity notice (5); MSGID as IHE ATNA asks.
    std::string msg = "<85>1 " + m.time + " " + hostName_ + " atrium " + std::to_string(::getpid()) +
                      " IHE+RFC-3881 - \xEF\xBB\xBF" + line;
    if (syslogTls_)
      syslogTls_->send(std::move(msg));
    else
      ::sendto(syslogSocket_, msg.data(), msg.size(), 0, reinterpret_cast<const sockaddr*>(syslogAddress_.data()),
               syslogAddressLength_);
  }
}

std::vector<std::string> AuditTrail::read(const std::string& since, const std::string& patientId,
                                          std::size_t limit) const {
  std::vector<std::filesystem::path> files;
  std::lock_guard lock(mutex_);
  for (const auto& e : std::filesystem::directory_iterator(dir_))
    if (e.path().extension() == ".xml" && (since.size() < 10 || e.path().stem().string() >= since.substr(0, 10)))
      files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<std::string> out;
  for (const auto& f : files) {
    std::ifstream in(f);
    std::string line;
    while (out.size() < limit && std::getline(in, line)) {
      if (!since.empty() && attribute(line, "EventDateTime") < since) continue;
      if (!patientId.empty() && patientOf(line) != patientId) continue;
      out.push_back(line);
    }
  }
  return out;
}

void install(AuditTrail* trail) { g_trail = trail; }
AuditTrail* installed() { return g_trail; }

void record(Message m) {
  if (AuditTrail* t = g_trail) t->record(std::move(m));
}

void recordRefusal(Event event, const char* type, const std::string& user, const std::string& address,
                   const std::string& why) {
  Message m;
  m.event = event;
  m.eventType = type;
  m.outcome = Outcome::MinorFailure;
  m.user = user;
  m.address = address;
  m.detail = why;
  record(std::move(m));
}

}  // namespace atrium::audit
