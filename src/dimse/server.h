#pragma once
// The DICOM association acceptor: one thread per association, bounded by max_associations.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "dimse/commitment.h"
#include "dimse/mpps.h"
#include "dimse/peer_access.h"
#include "dimse/query_handlers.h"
#include "dimse/store_handler.h"

struct T_ASC_Network;
struct T_ASC_Association;
class DcmTLSTransportLayer;

namespace atrium::dimse {

class DimseServer {
 public:
  DimseServer(const Config& config, IStoreRequestHandler& storeHandler, IFindRequestHandler& findHandler,
              IRetrieveRequestHandler& retrieveHandler, ICommitmentHandler& commitmentHandler,
              const IPeerDirectory& peers);
  ~DimseServer();

  // Binds the plain port and the TLS port (each unless 0); throws std::runtime_error with a
  // one-line reason.
  void open();
  // Accepts until stop() is called (from a signal handler thread or a test).
  void run();
  void stop() { stopping_ = true; }
  int activeAssociations() const { return active_; }
  // Serves MPPS N-CREATE/N-SET through this handler (none: they are answered with a failure).
  void setMppsHandler(IMppsHandler* handler) { mppsHandler_ = handler; }

 private:
  // Accepting threads per listening socket: at least kFreeListeners not held by a peer still
  // sending its A-ASSOCIATE-RQ, and at most kMaxListenerThreads in all.
  static constexpr int kFreeListeners = 16;
  static constexpr int kMaxListenerThreads = 256;
  struct Listener {
    T_ASC_Network* network = nullptr;
    int port = 0;
    bool tls = false;
    std::vector<std::string> aets;       // called AE titles (empty: the archive's)
    std::vector<DicomService> services;  // offered here (empty: all)
  };
  // A listener's accepting threads; each one's `callStarted` is when its current
  // ASC_receiveAssociation began (ms since the epoch of steady_clock; 0: between calls).
  struct AcceptPool {
    std::mutex mutex;
    std::vector<std::shared_ptr<std::atomic<std::int64_t>>> calls;
    std::vector<std::thread> threads;
  };
  void listen(Listener& l);
  void addAcceptingThread(AcceptPool& pool, const Listener& l);
  // Adds threads while fewer than kFreeListeners are free (not held by a slow request).
  void keepFreeListeners(AcceptPool& pool, const Listener& l);
  void acceptLoop(const Listener& l, std::atomic<std::int64_t>& callStarted);
  void serveAssociation(T_ASC_Association* assoc, const Listener& l);
  // True when accepted; *slot then holds one of max_associations, to be given back when it ends.
  bool negotiate(T_ASC_Association* assoc, const std::string& peer, bool* slot, const Listener& l);
  void messageLoop(T_ASC_Association* assoc, const std::string& peer);
  // One association's state in messageLoop: counts for the log, commitment reports owed.
  struct Session {
    std::string peer;
    int stored, failed;
    std::vector<PendingReport> reports;
  };
  enum class Next { Go, End };  // End: the association is released or aborted
  Next deliverReports(T_ASC_Association* assoc, Session& s);
  Next receiveAndServe(T_ASC_Association* assoc, Session& s);
  // One request; false when the association must be aborted.
  bool serve(T_ASC_Association* assoc, T_DIMSE_Message& msg, unsigned char presId, Session& s);
  // Storage commitment reports not delivered on the requesting association go on a new one.
  void deliverElsewhere(const PendingReport& report);

  const Config& config_;
  IStoreRequestHandler& storeHandler_;
  IFindRequestHandler& findHandler_;
  IRetrieveRequestHandler& retrieveHandler_;
  ICommitmentHandler& commitmentHandler_;
  IMppsHandler* mppsHandler_ = nullptr;
  const IPeerDirectory& peers_;
  std::unique_ptr<DcmTLSTransportLayer> tlsLayer_;  // outlives the listeners, which use it
  std::vector<Listener> listeners_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> active_{0};  // threads serving a connection (shutdown waits for them)
  // Associations that passed the checks and hold a slot of max_associations. A connection that is
  // still being looked at, or refused (a bare TCP probe DCMTK turns into an empty request), holds
  // none, so it cannot make a real association be refused as one too many.
  std::mutex slotMutex_;
  int slots_ = 0;
  std::mutex doneMutex_;
  std::condition_variable doneCv_;
};

}  // namespace atrium::dimse
