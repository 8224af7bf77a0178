#include "dimse/tls.h"

#include <arpa/inet.h>
#include <dcmtk/dcmtls/tlslayer.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <stdexcept>

namespace atrium::dimse {
namespace {

thread_local std::string t_refusal;

std::string subjectOf(X509* cert) {
  if (!cert) return "(no certificate)";
  char buf[256] = {0};
  X509_NAME_oneline(X509_get_subject_name(cert), buf, sizeof buf - 1);
  return buf;
}

// OpenSSL's verification, unchanged; we only keep why a certificate failed, for the server's log
// line and the client's error.
int verifyCallback(int ok, X509_STORE_CTX* ctx) {
  if (!ok && t_refusal.empty())
    t_refusal = std::string(X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx))) + " (" +
                subjectOf(X509_STORE_CTX_get_current_cert(ctx)) + ")";
  return ok;
}

void check(const OFCondition& c, const std::string& what) {
  if (c.bad()) throw std::runtime_error("TLS: " + what + ": " + c.text());
}

}  // namespace

std::unique_ptr<DcmTLSTransportLayer> makeTlsLayer(const TlsConfig& tls, TlsRole role, const std::string& host) {
  auto layer =
      std::make_unique<DcmTLSTransportLayer>(role == TlsRole::Server ? NET_ACCEPTOR : NET_REQUESTOR, nullptr, OFTrue);
  if (!layer->operator bool()) throw std::runtime_error("TLS: cannot create an OpenSSL context");
  check(layer->setTLSProfile(tls.nonDowngrading ? TSP_Profile_BCP195_ND : TSP_Profile_BCP195), "profile");
  // DCMTK 3.6.7's BCP 195 lists only RSA suites for TLS 1.2, so a server with an EC certificate
  // could talk TLS 1.3 only ("no shared cipher"). RFC 9325 (BCP 195 today) recommends these two.
  for (const char* suite : {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"})
    check(layer->addCipherSuite(suite), std::string("cipher suite ") + suite);
  check(layer->activateCipherSuites(), "cipher suites");
  if (!tls.certificate.empty() || !tls.privateKey.empty()) {
    check(layer->setPrivateKeyFile(tls.privateKey.c_str(), DCF_Filetype_PEM), "private key " + tls.privateKey);
    check(layer->setCertificateFile(tls.certificate.c_str(), DCF_Filetype_PEM), "certificate " + tls.certificate);
    if (!layer->checkPrivateKeyMatchesCertificate())
      throw std::runtime_error("TLS: private key " + tls.privateKey + " does not match certificate " + tls.certificate);
  } else if (role == TlsRole::Server) {
    throw std::runtime_error("TLS: the server needs a certificate and a private key");
  }
  for (const auto& ca : tls.caCertificates)
    check(layer->addTrustedCertificateFile(ca.c_str(), DCF_Filetype_PEM), "CA certificates " + ca);
  // A client always checks the server; a server asks clients for one only for mutual authentication.
  const bool verify = role == TlsRole::Client || tls.requirePeerCertificate;
  layer->setCertificateVerification(verify ? DCV_requireCertificate : DCV_ignoreCertificate);
  SSL_CTX* ctx = layer->getNativeHandle();
  if (verify) SSL_CTX_set_verify(ctx, SSL_CTX_get_verify_mode(ctx), verifyCallback);
  if (role == TlsRole::Client && !host.empty()) {
    // The server's certificate must name the host we dialled (an address: its IP SAN).
    X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx);
    unsigned char addr[16];
    bool isIp = inet_pton(AF_INET, host.c_str(), addr) == 1 || inet_pton(AF_INET6, host.c_str(), addr) == 1;
    if ((isIp ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
              : X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0)) != 1)
      throw std::runtime_error("TLS: cannot check the certificate against host '" + host + "'");
  }
  return layer;
}

std::string takeTlsRefusal() {
  std::string s;
  s.swap(t_refusal);
  return s;
}

}  // namespace atrium::dimse
