#include "audit/syslog_tls.h"

#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

#include "common/log.h"

namespace atrium::audit {
namespace {

std::string sslError() {
  unsigned long e = ERR_get_error();
  if (!e) return "unknown TLS error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

SSL_CTX* ctxOf(void* p) { return static_cast<SSL_CTX*>(p); }
SSL* sslOf(void* p) { return static_cast<SSL*>(p); }

}  // namespace

SyslogTlsSender::SyslogTlsSender(std::string host, std::string port, const SyslogTlsFiles& files)
    : host_(std::move(host)), port_(std::move(port)) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) throw std::runtime_error("audit_syslog: " + sslError());
  ctx_ = ctx;
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);  // BCP 195, as the DICOM TLS port
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  bool trusted = false;
  for (const auto& ca : files.caCertificates) {
    if (SSL_CTX_load_verify_locations(ctx, ca.c_str(), nullptr) != 1) {
      SSL_CTX_free(ctx);
      throw std::runtime_error("audit_syslog: cannot load CA certificate " + ca + ": " + sslError());
    }
    trusted = true;
  }
  if (!trusted) SSL_CTX_set_default_verify_paths(ctx);  // the system's CAs
  if (!files.certificate.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, files.certificate.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, files.privateKey.c_str(), SSL_FILETYPE_PEM) != 1) {
      SSL_CTX_free(ctx);
      throw std::runtime_error("audit_syslog: cannot load " + files.certificate + " / " + files.privateKey + ": " +
                               sslError());
    }
  }
  thread_ = std::thread([this] { run(); });
}

SyslogTlsSender::~SyslogTlsSender() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  disconnect();
  SSL_CTX_free(ctxOf(ctx_));
}

void SyslogTlsSender::send(std::string message) {
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= kQueueLimit) {
      queue_.pop_front();
      ++dropped_;
    }
    queue_.push_back(std::to_string(message.size()) + " " + message);  // RFC 5425 octet counting
  }
  wake_.notify_one();
}

void SyslogTlsSender::run() {
  auto pause = std::chrono::seconds(1);
  bool warned = false;
  auto deadline = std::chrono::steady_clock::time_point::max();  // once stopping: 2 s to send the rest
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_ && deadline == std::chrono::steady_clock::time_point::max())
      deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    if (queue_.empty() || std::chrono::steady_clock::now() >= deadline) return;
    std::string frame = queue_.front();
    std::size_t dropped = dropped_;
    dropped_ = 0;
    lock.unlock();
    if (dropped) log::warn("audit syslog: ", dropped, " messages dropped while ", host_, ":", port_, " was away");
    bool sent = (ssl_ || connect()) && write(frame);
    lock.lock();
    if (sent) {
      if (!queue_.empty() && queue_.front() == frame) queue_.pop_front();
      if (warned) log::info("audit syslog: sending to ", host_, ":", port_, " again");
      warned = false;
      pause = std::chrono::seconds(1);
      continue;
    }
    lock.unlock();
    disconnect();
    if (!warned)
      log::warn("audit syslog: cannot send to ", host_, ":", port_,
                " over TLS; retrying (the audit file has every message)");
    warned = true;
    lock.lock();
    wake_.wait_for(lock, pause, [&] { return stopping_; });
    pause = std::min(pause * 2, std::chrono::seconds(30));
  }
}

bool SyslogTlsSender::connect() {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host_.c_str(), port_.c_str(), &hints, &res) != 0 || !res) return false;
  for (addrinfo* a = res; a && fd_ < 0; a = a->ai_next) {
    fd_ = ::socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ >= 0 && ::connect(fd_, a->ai_addr, a->ai_addrlen) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  freeaddrinfo(res);
  if (fd_ < 0) return false;
  timeval tv{10, 0};  // a collector that stops reading cannot hold the sender for ever
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  SSL* ssl = SSL_new(ctxOf(ctx_));
  ssl_ = ssl;
  SSL_set_fd(ssl, fd_);
  SSL_set_tlsext_host_name(ssl, host_.c_str());
  // The certificate must name the host dialled (DNS name or IP address).
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (X509_VERIFY_PARAM_set1_ip_asc(param, host_.c_str()) != 1) SSL_set1_host(ssl, host_.c_str());
  if (SSL_connect(ssl) != 1) {
    long verify = SSL_get_verify_result(ssl);
    log::warn("audit syslog: TLS with ", host_, ":", port_,
              " failed: ", verify != X509_V_OK ? X509_verify_cert_error_string(verify) : sslError().c_str());
    return false;
  }
  return true;
}

void SyslogTlsSender::disconnect() {
  if (ssl_) {
    SSL_free(sslOf(ssl_));
    ssl_ = nullptr;
  }
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

bool SyslogTlsSender::write(const std::string& frame) {
  std::size_t done = 0;
  while (done < frame.size()) {
    int n = SSL_write(sslOf(ssl_), frame.data() + done, static_cast<int>(frame.size() - done));
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace atrium::audit
