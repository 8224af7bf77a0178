#include "dimse/scu_association.h"

#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmnet/diutil.h>
#include <dcmtk/dcmtls/tlslayer.h>

#include <stdexcept>

#include "dimse/tls.h"

namespace atrium::dimse {

PeerAddress parseHostPort(const std::string& spec) {
  auto colon = spec.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == spec.size())
    throw std::invalid_argument("expected HOST:PORT, got '" + spec + "'");
  PeerAddress p;
  p.host = spec.substr(0, colon);
  std::size_t used = 0;
  try {
    p.port = std::stoi(spec.substr(colon + 1), &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != spec.size() - colon - 1 || p.port < 1 || p.port > 65535)
    throw std::invalid_argument("invalid port in '" + spec + "'");
  return p;
}

ScuAssociation::~ScuAssociation() {
  if (assoc_) {
    if (open_) ASC_abortAssociation(assoc_);
    ASC_destroyAssociation(&assoc_);
  }
  if (net_) ASC_dropNetwork(&net_);
}

std::unique_ptr<ScuAssociation> ScuAssociation::open(const PeerAddress& peer,
                                                     const std::vector<ProposedContext>& contexts) {
  std::unique_ptr<ScuAssociation> a(new ScuAssociation);
  a->timeout_ = peer.timeoutSeconds;
  OFCondition c = ASC_initializeNetwork(NET_REQUESTOR, 0, peer.timeoutSeconds, &a->net_);
  if (c.bad()) throw std::runtime_error(std::string("cannot initialise network: ") + c.text());
  if (peer.tls) {
    a->tls_ = makeTlsLayer(*peer.tls, TlsRole::Client, peer.host);
    c = ASC_setTransportLayer(a->net_, a->tls_.get(), OFFalse);
    if (c.bad()) throw std::runtime_error(std::string("TLS: ") + c.text());
  }
  T_ASC_Parameters* params = nullptr;
  ASC_createAssociationParameters(&params, peer.maxPdu);
  if (peer.tls) ASC_setTransportLayerType(params, OFTrue);
  takeTlsRefusal();
  ASC_setAPTitles(params, peer.callingAet.c_str(), peer.calledAet.c_str(), nullptr);
  std::string address = peer.host + ":" + std::to_string(peer.port);
  ASC_setPresentationAddresses(params, OFStandard::getHostName().c_str(), address.c_str());
  if (contexts.size() > 128) {
    ASC_destroyAssociationParameters(&params);
    throw std::runtime_error("too many presentation contexts");
  }
  unsigned char id = 1;
  for (const auto& pc : contexts) {
    std::vector<const char*> ts;
    for (const auto& t : pc.transferSyntaxes) ts.push_back(t.c_str());
    ASC_addPresentationContext(params, id, pc.abstractSyntax.c_str(), ts.data(), static_cast<int>(ts.size()),
                               pc.requestorIsScp ? ASC_SC_ROLE_SCP : ASC_SC_ROLE_DEFAULT);
    id = static_cast<unsigned char>(id + 2);
  }
  dcmConnectionTimeout.set(peer.timeoutSeconds);
  c = ASC_requestAssociation(a->net_, params, &a->assoc_);
  if (c.bad()) {
    std::string why = c.text();
    if (c == DUL_ASSOCIATIONREJECTED && a->assoc_) {
      T_ASC_RejectParameters rej;
      ASC_getRejectParameters(a->assoc_->params, &rej);
      OFString s;
      why = std::string("association rejected: ") + ASC_printRejectParameters(s, &rej).c_str();
    } else if (!a->assoc_) {
      ASC_destroyAssociationParameters(&params);
    }
    if (auto refused = takeTlsRefusal(); !refused.empty()) why = "TLS: server certificate refused: " + refused;
    throw std::runtime_error("cannot associate with " + peer.calledAet + "@" + address + ": " + why);
  }
  a->open_ = true;
  if (ASC_countAcceptedPresentationContexts(a->assoc_->params) == 0)
    throw std::runtime_error(peer.calledAet + "@" + address + " accepted none of the proposed presentation contexts");
  return a;
}

unsigned char ScuAssociation::contextFor(const std::string& abstractSyntax) const {
  int n = ASC_countPresentationContexts(assoc_->params);
  for (int i = 0; i < n; ++i) {
    T_ASC_PresentationContext pc;
    if (ASC_getPresentationContext(assoc_->params, i, &pc).good() && pc.resultReason == ASC_P_ACCEPTANCE &&
        abstractSyntax == pc.abstractSyntax)
      return pc.presentationContextID;
  }
  return 0;
}

void ScuAssociation::release() {
  if (open_) {
    open_ = false;
    if (ASC_releaseAssociation(assoc_).bad()) ASC_abortAssociation(assoc_);
  }
}

void ScuAssociation::abort() {
  if (open_) {
    open_ = false;
    ASC_abortAssociation(assoc_);
  }
}

}  // namespace atrium::dimse
