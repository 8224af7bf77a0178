#pragma once
// Storage Commitment Push Model (PS3.4 J): the request and the report, both directions.
// SCP side: an N-ACTION is answered, then the N-EVENT-REPORT goes on the same association when
// the requester waits for it there, else on a new association to the requester.
// SCU side: `atrium send --commit` asks and waits for the report (same association, or a new one
// it accepts on a listening port, as Orthanc sends them).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dimse/scu_association.h"

class DcmDataset;
struct T_ASC_Association;
struct T_DIMSE_Message;

namespace atrium::dimse {

struct SopRef {
  std::string classUid, instanceUid;
};

struct CommitmentResult {
  std::string transactionUid;
  std::vector<SopRef> committed;
  std::vector<std::pair<SopRef, std::uint16_t>> failed;  // with the Failure Reason (0x0112 no such instance...)
};

class ICommitmentHandler {
 public:
  virtual ~ICommitmentHandler() = default;
  // Check each reference against what is stored (PS3.4 J.3.2: the SCP takes responsibility).
  virtual CommitmentResult commit(const std::string& transactionUid, const std::vector<SopRef>& refs) = 0;
  // Where to send a report that cannot go on the requesting association.
  virtual std::optional<PeerAddress> reportDestination(const std::string& callingAet) = 0;
};

// --- SCP ---
struct PendingReport {
  CommitmentResult result;
  unsigned char presId = 0;
  std::string callingAet;
};
// Answers an N-ACTION (receives its data set, checks it, responds, runs the handler). Returns false
// when the association must be aborted; *report is set when a report is owed.
bool serveCommitmentRequest(T_ASC_Association* assoc, T_DIMSE_Message& msg, unsigned char presId,
                            ICommitmentHandler& handler, int timeout, std::optional<PendingReport>* report);
enum class ReportDelivery { Delivered, PeerReleased, Failed };
// Sends the N-EVENT-REPORT on this association and waits for its response. PeerReleased: the
// peer asked to release instead (acknowledged here).
ReportDelivery sendReportOnAssociation(T_ASC_Association* assoc, const PendingReport& report, int timeout);
// Opens an association to the requester (our role: SCP) and sends the report; throws on failure.
void sendReportOnNewAssociation(const PeerAddress& peer, const CommitmentResult& result);

// --- SCU ---
struct CommitOptions {
  int waitSeconds = 60;  // for the report
  int listenPort = 0;    // also accept the report on a new association on this port (0: no)
};
// Throws std::runtime_error when the peer refuses or no report comes in time.
CommitmentResult requestCommitment(const PeerAddress& peer, const std::vector<SopRef>& refs,
                                   const CommitOptions& options);

// The data sets (exposed for tests).
void writeCommitmentRequest(const std::string& transactionUid, const std::vector<SopRef>& refs, DcmDataset& out);
void writeEventReport(const CommitmentResult& result, DcmDataset& out);
CommitmentResult readEventReport(DcmDataset& report);

}  // namespace atrium::dimse
