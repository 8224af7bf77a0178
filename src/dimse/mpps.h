#pragma once
// Modality Performed Procedure Step (PS3.4 F.7): what a scanner reports about the step it performs.
// SCP: N-CREATE (the step begins, IN PROGRESS) and N-SET (its attributes, and its end: COMPLETED or
// DISCONTINUED, after which it may not change), answered by a handler the archive implements.
// SCU: the same two messages, for `atrium worklist mpps-create|mpps-set` and scripted modalities.
#include <cstdint>
#include <string>

#include "dimse/scu_association.h"

class DcmDataset;
struct T_ASC_Association;
struct T_DIMSE_Message;

namespace atrium::dimse {

class IMppsHandler {
 public:
  virtual ~IMppsHandler() = default;
  // Statuses of PS3.4 F.7.2.1.2 / F.7.2.2.2 (0x0000, 0x0106 invalid attribute value, 0x0111
  // duplicate SOP Instance, 0x0112 no such object, 0x0120 missing attribute, 0xC310 may no
  // longer be updated, 0x0110 processing failure); *error says why, for the Error Comment.
  virtual std::uint16_t createStep(const std::string& sopInstanceUid, DcmDataset& attributes,
                                   const std::string& callingAet, std::string& error) = 0;
  virtual std::uint16_t setStep(const std::string& sopInstanceUid, DcmDataset& modifications, std::string& error) = 0;
};

// Answers an N-CREATE / N-SET on the MPPS SOP class; false when the association must be aborted.
bool serveMppsCreate(T_ASC_Association* assoc, T_DIMSE_Message& msg, unsigned char presId, IMppsHandler* handler,
                     int timeout);
bool serveMppsSet(T_ASC_Association* assoc, T_DIMSE_Message& msg, unsigned char presId, IMppsHandler* handler,
                  int timeout);

// SCU: one message on a new association; returns the DIMSE status (and *error with the peer's
// comment). createMpps fills *uid when empty (a new UID). Throws std::runtime_error when the peer
// cannot be reached or does not accept MPPS.
std::uint16_t createMpps(const PeerAddress& peer, std::string& uid, DcmDataset& attributes, std::string& error);
std::uint16_t setMpps(const PeerAddress& peer, const std::string& uid, DcmDataset& modifications, std::string& error);

}  // namespace atrium::dimse
