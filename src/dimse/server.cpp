#include "dimse/server.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmnet/dimse.h>
#include <dcmtk/dcmnet/dulstruc.h>
#include <dcmtk/dcmtls/tlslayer.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <vector>

#include "audit/audit_trail.h"
#include "common/log.h"
#include "common/metrics.h"
#include "dimse/find_service.h"
#include "dimse/negotiation.h"
#include "dimse/retrieve_service.h"
#include "dimse/store_service.h"
#include "dimse/tls.h"

namespace atrium::dimse {
namespace {

void dropAssociation(T_ASC_Association* assoc) {
  ASC_dropSCPAssociation(assoc);
  ASC_destroyAssociation(&assoc);
}

void reject(T_ASC_Association* assoc, T_ASC_RejectParametersResult result, T_ASC_RejectParametersSource source,
            T_ASC_RejectParametersReason reason) {
  T_ASC_RejectParameters rej{result, source, reason};
  ASC_rejectAssociation(assoc, &rej);
}

std::string describe(const OFCondition& c) { return c.text(); }

// A refused association or request in the audit trail (Security Alert, CID 403 type).
void securityAlert(const char* type, const std::string& aet, const std::string& address, const std::string& why) {
  audit::recordRefusal(audit::Event::SecurityAlert, type, aet, address, why);
}

}  // namespace

DimseServer::DimseServer(const Config& config, IStoreRequestHandler& storeHandler, IFindRequestHandler& findHandler,
                         IRetrieveRequestHandler& retrieveHandler, ICommitmentHandler& commitmentHandler,
                         const IPeerDirectory& peers)
    : config_(config),
      storeHandler_(storeHandler),
      findHandler_(findHandler),
      retrieveHandler_(retrieveHandler),
      commitmentHandler_(commitmentHandler),
      peers_(peers) {}

DimseServer::~DimseServer() {
  for (auto& l : listeners_)
    if (l.network) ASC_dropNetwork(&l.network);
}

void DimseServer::open() {
  dcmMaxOutgoingPDUSize.set(static_cast<Uint32>(config_.maxPdu));
  // The calling presentation address as the peer's IP address, not a name looked up for it: the
  // peer rules compare addresses, and a slow reverse DNS must not hold an accepting thread.
  dcmDisableGethostbyaddr.set(OFTrue);
  if (!config_.listeners.empty()) {
    // Several ports, each with its AE titles and services.
    for (const auto& c : config_.listeners) {
      if (c.tls && !tlsLayer_) tlsLayer_ = makeTlsLayer(config_.tls, TlsRole::Server);
      listeners_.push_back({nullptr, c.port, c.tls, c.aets, c.services});
    }
  } else {
    // TLS on the plain port's number means TLS only there.
    if (config_.dicomPort != 0 && config_.dicomPort != config_.tls.port)
      listeners_.push_back({nullptr, config_.dicomPort, false, {}, {}});
    if (config_.tls.port != 0) {
      tlsLayer_ = makeTlsLayer(config_.tls, TlsRole::Server);
      listeners_.push_back({nullptr, config_.tls.port, true, {}, {}});
    }
  }
  for (auto& l : listeners_) listen(l);
}

void DimseServer::listen(Listener& l) {
  OFCondition c = ASC_initializeNetwork(NET_ACCEPTOR, l.port, config_.artimTimeoutSeconds, &l.network);
  if (c.bad())
    throw std::runtime_error(std::string("cannot listen on DICOM ") + (l.tls ? "TLS " : "") + "port " +
                             std::to_string(l.port) + ": " + describe(c));
  if (l.tls) {
    c = ASC_setTransportLayer(l.network, tlsLayer_.get(), OFFalse);
    if (c.bad()) throw std::runtime_error(std::string("TLS: ") + describe(c));
  }
  // Several threads wait on this socket; the ones that lose a race for a connection must get
  // EAGAIN from accept() rather than block there (and block shutdown).
  int fd = static_cast<PRIVATE_NETWORKKEY*>(l.network->network)->networkSpecific.TCP.listenSocket;
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  // A connection is handed to us only once its first bytes have arrived: a bare TCP connection (a
  // health check, a port scan, a peer that never speaks) never takes an accepting thread, so it
  // cannot keep real associations waiting behind it.
  // And the queue of connections waiting for accept() is the system's largest (DCMTK asks for 50):
  // a burst of them must not make the kernel drop a real association's SYN.
  ::listen(fd, SOMAXCONN);
  int deferSeconds = config_.artimTimeoutSeconds;
  if (::setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &deferSeconds, sizeof deferSeconds) != 0)
    log::warn("cannot set TCP_DEFER_ACCEPT on the DICOM port: ", std::strerror(errno));
}

void DimseServer::run() {
  for (const auto& l : listeners_)
    log::info("DICOM server ", l.aets.empty() ? config_.aet : l.aets[0], " listening on ", l.tls ? "TLS " : "", "port ",
              l.port, l.services.empty() ? "" : " (" + std::to_string(l.services.size()) + " services)", " (max ",
              config_.maxAssociations, " associations, max PDU ", config_.maxPdu, ")");
  // DCMTK reads the A-ASSOCIATE-RQ (after the TLS handshake) inside ASC_receiveAssociation, on the
  // accepting thread, so a peer that sends part of a request and stalls holds that thread for up to
  // the ARTIM timeout (silent ones never reach it: TCP_DEFER_ACCEPT). While such peers hold
  // accepting threads, more are started, so that kFreeListeners are always free for real
  // associations (up to kMaxListenerThreads); the max_associations slots are apart from this and
  // only accepted associations take one.
  std::vector<std::unique_ptr<AcceptPool>> pools;
  for (const auto& l : listeners_) {
    pools.push_back(std::make_unique<AcceptPool>());
    for (int i = 0; i < kFreeListeners; ++i) addAcceptingThread(*pools.back(), l);
  }
  while (!stopping_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    for (std::size_t i = 0; i < pools.size(); ++i) keepFreeListeners(*pools[i], listeners_[i]);
  }
  for (auto& pool : pools) {
    std::lock_guard lock(pool->mutex);
    for (auto& t : pool->threads) t.join();
  }
  // Let running associations finish (bounded by the DIMSE timeout).
  std::unique_lock lock(doneMutex_);
  doneCv_.wait_for(lock, std::chrono::seconds(config_.dimseTimeoutSeconds + 5), [&] { return active_ == 0; });
}

namespace {
std::int64_t steadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

void DimseServer::addAcceptingThread(AcceptPool& pool, const Listener& l) {
  auto call = std::make_shared<std::atomic<std::int64_t>>(0);
  pool.calls.push_back(call);
  pool.threads.emplace_back([this, &l, call] { acceptLoop(l, *call); });
}

void DimseServer::keepFreeListeners(AcceptPool& pool, const Listener& l) {
  // A call that has lasted over 1.5 s is reading a slow request: ASC_receiveAssociation waits
  // at most 1 s for a connection, and a real A-ASSOCIATE-RQ arrives with it.
  const std::int64_t now = steadyMs();
  std::lock_guard lock(pool.mutex);
  int held = 0;
  for (const auto& c : pool.calls) {
    std::int64_t started = c->load();
    if (started > 0 && now - started > 1500) ++held;
  }
  int added = 0;
  while (static_cast<int>(pool.calls.size()) - held < kFreeListeners &&
         static_cast<int>(pool.calls.size()) < kMaxListenerThreads) {
    addAcceptingThread(pool, l);
    ++added;
  }
  if (added)
    log::info("port ", l.port, ": ", held, " connections are slow to send their association request; ", added,
              " more accepting threads (", pool.calls.size(), " in all)");
}

void DimseServer::acceptLoop(const Listener& l, std::atomic<std::int64_t>& callStarted) {
  while (!stopping_) {
    T_ASC_Association* assoc = nullptr;
    callStarted = steadyMs();
    OFCondition c = ASC_receiveAssociation(l.network, &assoc, config_.maxPdu, nullptr, nullptr,
                                           l.tls ? OFTrue : OFFalse, DUL_NOBLOCK, 1);
    callStarted = 0;
    if (c == DUL_NOASSOCIATIONREQUEST) {
      if (assoc) ASC_destroyAssociation(&assoc);
      continue;
    }
    if (c.bad()) {
      // Another accepting thread won the race for this connection: not an event.
      if (std::strstr(c.text(), "temporarily unavailable"))
        log::debug("accept race lost: ", describe(c));
      else if (auto refused = takeTlsRefusal(); !refused.empty()) {
        log::warn("TLS association request refused: client certificate ", refused);
        securityAlert("110126", "", "", "TLS: client certificate refused: " + refused);
      } else if (l.tls) {
        log::warn("TLS association request failed: ", describe(c));
        securityAlert("110126", "", "", std::string("TLS association request failed: ") + describe(c));
      } else
        log::warn("association request failed: ", describe(c));
      if (assoc) dropAssociation(assoc);
      continue;
    }
    ++active_;
    std::thread([this, assoc, &l] {
      serveAssociation(assoc, l);
      std::lock_guard lock(doneMutex_);
      --active_;
      doneCv_.notify_all();
    }).detach();
  }
}

void DimseServer::serveAssociation(T_ASC_Association* assoc, const Listener& l) {
  std::string peer =
      std::string(assoc->params->DULparams.callingAPTitle) + "@" + assoc->params->DULparams.callingPresentationAddress;
  static metrics::Gauge& active = metrics::gauge("atrium_dimse_associations_active", "DICOM associations being served");
  static metrics::CounterSet<2> byOutcome("atrium_dimse_associations_total", "DICOM associations requested, by outcome",
                                          "outcome");
  active.add(1);
  bool slot = false;
  try {
    bool accepted = negotiate(assoc, peer, &slot, l);
    byOutcome.at(accepted ? 0 : 1, accepted ? "accepted" : "rejected").add();
    if (accepted) messageLoop(assoc, peer);
  } catch (const std::exception& e) {
    log::error("association ", peer, ": ", e.what());
    ASC_abortAssociation(assoc);
  }
  if (slot) {
    std::lock_guard lock(slotMutex_);
    --slots_;
  }
  active.add(-1);
  dropAssociation(assoc);
}

bool DimseServer::negotiate(T_ASC_Association* assoc, const std::string& peer, bool* slot, const Listener& l) {
  auto& dul = assoc->params->DULparams;
  // Who it is, before a slot is taken: a known peer from its own host, or an accepted stranger.
  CallerDecision caller = checkCaller(config_, peers_, dul.callingAPTitle, dul.callingPresentationAddress, resolveHost);
  if (!caller.accepted) {
    log::warn("association from ", peer, " rejected: ", caller.reason);
    securityAlert("110126", dul.callingAPTitle, dul.callingPresentationAddress,
                  "association rejected: " + caller.reason);
    reject(assoc, ASC_RESULT_REJECTEDPERMANENT, ASC_SOURCE_SERVICEUSER, ASC_REASON_SU_CALLINGAETITLENOTRECOGNIZED);
    return false;
  }
  AssociationRejection rejection;
  {
    // Checked and taken in one step: two requests at once cannot both take the last slot.
    std::lock_guard lock(slotMutex_);
    rejection = checkAssociation(config_, dul.callingAPTitle, dul.calledAPTitle, slots_, l.aets);
    if (rejection == AssociationRejection::None) {
      ++slots_;
      *slot = true;
    }
  }
  switch (rejection) {
    case AssociationRejection::None:
      break;
    case AssociationRejection::CallingAeNotRecognized:
      log::warn("association from ", peer, " rejected: calling AE title not recognized");
      reject(assoc, ASC_RESULT_REJECTEDPERMANENT, ASC_SOURCE_SERVICEUSER, ASC_REASON_SU_CALLINGAETITLENOTRECOGNIZED);
      return false;
    case AssociationRejection::CalledAeNotRecognized:
      log::warn("association from ", peer, " rejected: called AE title '", dul.calledAPTitle, "' not recognized");
      reject(assoc, ASC_RESULT_REJECTEDPERMANENT, ASC_SOURCE_SERVICEUSER, ASC_REASON_SU_CALLEDAETITLENOTRECOGNIZED);
      return false;
    case AssociationRejection::TooManyAssociations:
      log::warn("association from ", peer, " rejected: ", config_.maxAssociations, " associations already active");
      reject(assoc, ASC_RESULT_REJECTEDTRANSIENT, ASC_SOURCE_SERVICEPROVIDER_PRESENTATION_RELATED,
             ASC_REASON_SP_PRES_LOCALLIMITEXCEEDED);
      return false;
  }

  int accepted = 0;
  int n = ASC_countPresentationContexts(assoc->params);
  for (int i = 0; i < n; ++i) {
    T_ASC_PresentationContext pc;
    if (ASC_getPresentationContext(assoc->params, i, &pc).bad()) continue;
    std::vector<std::string> proposed;
    for (int t = 0; t < pc.transferSyntaxCount; ++t) proposed.emplace_back(pc.proposedTransferSyntaxes[t]);
    auto service =
        serviceOf(pc.abstractSyntax, pc.proposedRole == ASC_SC_ROLE_SCP || pc.proposedRole == ASC_SC_ROLE_SCUSCP);
    if (service && !l.services.empty() && std::find(l.services.begin(), l.services.end(), *service) == l.services.end()) {
      ASC_refusePresentationContext(assoc->params, pc.presentationContextID, ASC_P_ABSTRACTSYNTAXNOTSUPPORTED);
      log::warn("association ", peer, ": ", serviceName(*service), " is not offered on port ", l.port, " (context ",
                int(pc.presentationContextID), ", ", pc.abstractSyntax, ")");
      continue;
    }
    if (service && !caller.may(*service)) {
      ASC_refusePresentationContext(assoc->params, pc.presentationContextID, ASC_P_ABSTRACTSYNTAXNOTSUPPORTED);
      log::warn("association ", peer, ": ", serviceName(*service), " is not permitted to this peer (context ",
                int(pc.presentationContextID), ", ", pc.abstractSyntax, ")");
      securityAlert("110132", dul.callingAPTitle, dul.callingPresentationAddress,
                    std::string(serviceName(*service)) + " is not permitted to this peer");
      continue;
    }
    auto result = negotiateContext(pc.abstractSyntax, proposed, config_.acceptOnlyImplicit);
    if (result.decision == ContextDecision::Accept) {
      // A C-GET requestor proposes storage contexts with itself as SCP: agree to the role asked.
      T_ASC_SC_ROLE role = pc.proposedRole == ASC_SC_ROLE_DEFAULT ? ASC_SC_ROLE_DEFAULT : pc.proposedRole;
      ASC_acceptPresentationContext(assoc->params, pc.presentationContextID, result.transferSyntax.c_str(), role);
      ++accepted;
    } else {
      ASC_refusePresentationContext(assoc->params, pc.presentationContextID,
                                    result.decision == ContextDecision::AbstractSyntaxNotSupported
                                        ? ASC_P_ABSTRACTSYNTAXNOTSUPPORTED
                                        : ASC_P_TRANSFERSYNTAXESNOTSUPPORTED);
      log::debug("association ", peer, ": refused context ", int(pc.presentationContextID), " ", pc.abstractSyntax);
    }
  }
  OFCondition c = ASC_acknowledgeAssociation(assoc);
  if (c.bad()) {
    log::warn("association from ", peer, ": acknowledge failed: ", describe(c));
    return false;
  }
  log::info("association from ", peer, " to ", dul.calledAPTitle, " accepted (", accepted, " of ", n,
            " presentation contexts)");
  return true;
}

void DimseServer::deliverElsewhere(const PendingReport& report) {
  auto destination = commitmentHandler_.reportDestination(report.callingAet);
  if (!destination) {
    log::error("storage commitment ", report.result.transactionUid, ": ", report.callingAet,
               " released before the report and is not a configured peer; report not delivered");
    return;
  }
  try {
    sendReportOnNewAssociation(*destination, report.result);
    log::info("storage commitment ", report.result.transactionUid, ": report sent to ", destination->calledAet,
              " on a new association");
  } catch (const std::exception& e) {
    log::error("storage commitment ", report.result.transactionUid, ": ", e.what());
  }
}

void DimseServer::messageLoop(T_ASC_Association* assoc, const std::string& peer) {
  Session session{peer, 0, 0, {}};
  // Whatever is owed when the association ends goes on a new association.
  struct Owed {
    DimseServer* self;
    std::vector<PendingReport>& reports;
    ~Owed() {
      for (const auto& r : reports) self->deliverElsewhere(r);
    }
  } owed{this, session.reports};
  while (deliverReports(assoc, session) == Next::Go && receiveAndServe(assoc, session) == Next::Go) {}
}

DimseServer::Next DimseServer::deliverReports(T_ASC_Association* assoc, Session& s) {
  // A requester that waits on this association for its report sends nothing meanwhile; one that
  // releases (or sends more work) gets its report later, on a new association.
  while (!s.reports.empty() && !ASC_dataWaiting(assoc, 1)) {
    auto delivery = sendReportOnAssociation(assoc, s.reports.front(), config_.dimseTimeoutSeconds);
    if (delivery == ReportDelivery::Delivered) {
      log::info("storage commitment ", s.reports.front().result.transactionUid, ": report sent to ", s.peer);
      s.reports.erase(s.reports.begin());
      continue;
    }
    if (delivery == ReportDelivery::PeerReleased) {
      log::info("association from ", s.peer, " released (", s.stored, " stored, ", s.failed, " failed)");
      return Next::End;
    }
    ASC_abortAssociation(assoc);
    return Next::End;
  }
  return Next::Go;
}

DimseServer::Next DimseServer::receiveAndServe(T_ASC_Association* assoc, Session& s) {
  T_DIMSE_Message msg;
  std::memset(&msg, 0, sizeof msg);
  T_ASC_PresentationContextID presId = 0;
  DcmDataset* statusDetail = nullptr;
  OFCondition c =
      DIMSE_receiveCommand(assoc, DIMSE_NONBLOCKING, config_.dimseTimeoutSeconds, &presId, &msg, &statusDetail);
  delete statusDetail;
  if (c == DUL_PEERREQUESTEDRELEASE) {
    ASC_acknowledgeRelease(assoc);
    log::info("association from ", s.peer, " released (", s.stored, " stored, ", s.failed, " failed)");
    return Next::End;
  }
  if (c == DUL_PEERABORTEDASSOCIATION) {
    log::info("association from ", s.peer, " aborted by peer (", s.stored, " stored, ", s.failed, " failed)");
    return Next::End;
  }
  if (c == DIMSE_NODATAAVAILABLE) {
    log::warn("association from ", s.peer, ": no message for ", config_.dimseTimeoutSeconds, " s, aborting");
  } else if (c.bad()) {
    log::warn("association from ", s.peer, ": bad message (", describe(c), "), aborting");
  } else if (serve(assoc, msg, presId, s)) {
    return Next::Go;
  }
  ASC_abortAssociation(assoc);
  return Next::End;
}

bool DimseServer::serve(T_ASC_Association* assoc, T_DIMSE_Message& msg, unsigned char presId, Session& s) {
  switch (msg.CommandField) {
    case DIMSE_C_ECHO_RQ:
      DIMSE_sendEchoResponse(assoc, presId, &msg.msg.CEchoRQ, STATUS_Success, nullptr);
      log::debug("C-ECHO from ", s.peer);
      return true;
    case DIMSE_C_STORE_RQ:
      return serveStore(assoc, msg, presId, storeHandler_, config_.dimseTimeoutSeconds, s.peer, s.stored, s.failed);
    case DIMSE_C_FIND_RQ:
      return serveFind(assoc, msg, presId, findHandler_, config_.dimseTimeoutSeconds);
    case DIMSE_C_MOVE_RQ:
    case DIMSE_C_GET_RQ: {
      RetrieveSettings settings{config_.aet, config_.dimseTimeoutSeconds, config_.maxPdu};
      return msg.CommandField == DIMSE_C_MOVE_RQ ? serveMove(assoc, msg, presId, retrieveHandler_, settings)
                                                 : serveGet(assoc, msg, presId, retrieveHandler_, settings);
    }
    case DIMSE_N_ACTION_RQ: {
      std::optional<PendingReport> report;
      if (!serveCommitmentRequest(assoc, msg, presId, commitmentHandler_, config_.dimseTimeoutSeconds, &report))
        return false;
      if (report) s.reports.push_back(std::move(*report));
      return true;
    }
    case DIMSE_N_CREATE_RQ:
      return serveMppsCreate(assoc, msg, presId, mppsHandler_, config_.dimseTimeoutSeconds);
    case DIMSE_N_SET_RQ:
      return serveMppsSet(assoc, msg, presId, mppsHandler_, config_.dimseTimeoutSeconds);
    case DIMSE_C_CANCEL_RQ:
      return true;  // a cancel that arrived after its operation ended
    default:
      log::warn("association from ", s.peer, ": unsupported DIMSE command 0x", std::hex, msg.CommandField, std::dec,
                ", aborting");
      return false;
  }
}

}  // namespace atrium::dimse
