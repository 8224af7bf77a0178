#pragma once
// Audit messages to a syslog collector over TLS (RFC 5425: each message framed as "LENGTH SP MSG",
// TCP port 6514 by convention). The collector's certificate is verified against the given CAs and
// the host name dialled; a client certificate is presented when one is given.
//
// Sending never holds up the archive: messages queue (bounded; the oldest are dropped and counted
// when the collector stays away), a thread sends them, reconnecting with a growing pause. The
// audit file stays the complete record.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace atrium::audit {

struct SyslogTlsFiles {
  std::vector<std::string> caCertificates;  // PEM: the CAs the collector's certificate must chain to
  std::string certificate, privateKey;      // PEM: ours, if the collector asks for one
};

class SyslogTlsSender {
 public:
  // Throws std::runtime_error when the files cannot be loaded (at start, with one line).
  SyslogTlsSender(std::string host, std::string port, const SyslogTlsFiles& files);
  ~SyslogTlsSender();  // sends what is queued for up to 2 s, then stops
  SyslogTlsSender(const SyslogTlsSender&) = delete;
  SyslogTlsSender& operator=(const SyslogTlsSender&) = delete;

  void send(std::string message);

  static constexpr std::size_t kQueueLimit = 10000;

 private:
  void run();
  bool connect();
  void disconnect();
  bool write(const std::string& frame);

  std::string host_, port_;
  void* ctx_ = nullptr;  // SSL_CTX*
  void* ssl_ = nullptr;  // SSL*
  int fd_ = -1;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::string> queue_;
  std::size_t dropped_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace atrium::audit
