#include "dimse/mpps.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/dimse.h>

#include <cstring>
#include <memory>

#include "common/log.h"
#include "dicom/uid.h"
#include "dimse/receive.h"

namespace atrium::dimse {
namespace {

std::unique_ptr<DcmDataset> errorDetail(const std::string& why) {
  if (why.empty()) return nullptr;
  auto d = std::make_unique<DcmDataset>();
  d->putAndInsertString(DCM_ErrorComment, why.substr(0, 64).c_str());
  return d;
}

// A request on a new association and its response; the response's status, the comment in *error.
std::uint16_t exchange(const PeerAddress& peer, T_DIMSE_Message& request, DcmDataset& data, T_DIMSE_Command expected,
                       std::string& error) {
  ProposedContext pc{UID_ModalityPerformedProcedureStepSOPClass,
                     {UID_LittleEndianExplicitTransferSyntax, UID_LittleEndianImplicitTransferSyntax}};
  auto a = ScuAssociation::open(peer, {pc});
  unsigned char id = a->contextFor(UID_ModalityPerformedProcedureStepSOPClass);
  if (!id) throw std::runtime_error(peer.calledAet + " does not accept Modality Performed Procedure Steps");
  if (request.CommandField == DIMSE_N_CREATE_RQ)
    request.msg.NCreateRQ.MessageID = a->nextMessageId();
  else
    request.msg.NSetRQ.MessageID = a->nextMessageId();
  if (DIMSE_sendMessageUsingMemoryData(a->raw(), id, &request, nullptr, &data, nullptr, nullptr).bad())
    throw std::runtime_error("cannot send the request to " + peer.calledAet);
  T_DIMSE_Message rsp;
  std::memset(&rsp, 0, sizeof rsp);
  T_ASC_PresentationContextID rspPres = 0;
  DcmDataset* detail = nullptr;
  OFCondition c = DIMSE_receiveCommand(a->raw(), DIMSE_NONBLOCKING, a->timeoutSeconds(), &rspPres, &rsp, &detail);
  std::unique_ptr<DcmDataset> owner(detail);
  if (c.bad() || rsp.CommandField != expected) throw std::runtime_error("no response from " + peer.calledAet);
  const bool withData = expected == DIMSE_N_CREATE_RSP ? rsp.msg.NCreateRSP.DataSetType != DIMSE_DATASET_NULL
                                                       : rsp.msg.NSetRSP.DataSetType != DIMSE_DATASET_NULL;
  if (withData) receiveDataSet(a->raw(), rspPres, a->timeoutSeconds());  // the attributes echoed: not needed
  const char* comment = nullptr;
  if (detail && detail->findAndGetString(DCM_ErrorComment, comment).good() && comment) error = comment;
  a->release();
  return expected == DIMSE_N_CREATE_RSP ? rsp.msg.NCreateRSP.DimseStatus : rsp.msg.NSetRSP.DimseStatus;
}

}  // namespace

bool serveMppsCreate(T_ASC_Association* assoc, T_DIMSE_Message& msg, unsigned char presId, IMppsHandler* handler,
                     int timeout) {
  T_DIMSE_N_CreateRQ& req = msg.msg.NCreateRQ;
  std::unique_ptr<DcmDataset> ds;
  if (req.DataSetType != DIMSE_DATASET_NULL && !(ds = receiveDataSet(assoc, presId, timeout))) {
    log::warn("N-CREATE: cannot receive the attributes");
    return false;
  }
  // The SCU may leave the SOP Instance UID to us (PS3.4 F.7.2.1.1).
  std::string uid = (req.opts & O_NCREATE_AFFECTEDSOPINSTANCEUID) ? dicom::trimUid(req.AffectedSOPInstanceUID) : "";
  if (uid.empty()) uid = dicom::newUid();
  std::string why;
  std::uint16_t status = 0x0110;
  if (std::string(req.AffectedSOPClassUID) != UID_ModalityPerformedProcedureStepSOPClass) {
    status = 0x0118;  // no such SOP class
    why = "N-CREATE is served for MPPS only";
  } else if (!handler) {
    why = "MPPS is not served here";
  } else if (!dicom::isValidUid(uid)) {
    status = 0x0106;
    why = "invalid SOP Instance UID";
  } else {
    DcmDataset empty;
    status = handler->createStep(uid, ds ? *ds : empty, assoc->params->DULparams.callingAPTitle, why);
  }
  T_DIMSE_Message rsp;
  std::memset(&rsp, 0, sizeof rsp);
  rsp.CommandField = DIMSE_N_CREATE_RSP;
  auto& r = rsp.msg.NCreateRSP;
  r.MessageIDBeingRespondedTo = req.MessageID;
  OFStandard::strlcpy(r.AffectedSOPClassUID, req.AffectedSOPClassUID, sizeof r.AffectedSOPClassUID);
  OFStandard::strlcpy(r.AffectedSOPInstanceUID, uid.c_str(), sizeof r.AffectedSOPInstanceUID);
  r.DimseStatus = status;
  r.DataSetType = DIMSE_DATASET_NULL;
  r.opts = O_NCREATE_AFFECTEDSOPCLASSUID | O_NCREATE_AFFECTEDSOPINSTANCEUID;
  auto detail = errorDetail(status ? why : "");
  if (status) log::warn("MPPS N-CREATE ", uid, " refused (0x", std::hex, status, std::dec, "): ", why);
  return DIMSE_sendMessageUsingMemoryData(assoc, presId, &rsp, detail.get(), nullptr, nullptr, nullptr).good();
}

bool serveMppsSet(T_ASC_Association* assoc, T_DIMSE_Message& msg, unsigned char presId, IMppsHandler* handler,
                  int timeout) {
  T_DIMSE_N_SetRQ& req = msg.msg.NSetRQ;
  std::unique_ptr<DcmDataset> ds;
  if (req.DataSetType != DIMSE_DATASET_NULL && !(ds = receiveDataSet(assoc, presId, timeout))) {
    log::warn("N-SET: cannot receive the modifications");
    return false;
  }
  const std::string uid = dicom::trimUid(req.RequestedSOPInstanceUID);
  std::string why;
  std::uint16_t status = 0x0110;
  if (std::string(req.RequestedSOPClassUID) != UID_ModalityPerformedProcedureStepSOPClass) {
    status = 0x0118;
    why = "N-SET is served for MPPS only";
  } else if (!handler) {
    why = "MPPS is not served here";
  } else {
    DcmDataset empty;
    status = handler->setStep(uid, ds ? *ds : empty, why);
  }
  T_DIMSE_Message rsp;
  std::memset(&rsp, 0, sizeof rsp);
  rsp.CommandField = DIMSE_N_SET_RSP;
  auto& r = rsp.msg.NSetRSP;
  r.MessageIDBeingRespondedTo = req.MessageID;
  OFStandard::strlcpy(r.AffectedSOPClassUID, req.RequestedSOPClassUID, sizeof r.AffectedSOPClassUID);
  OFStandard::strlcpy(r.AffectedSOPInstanceUID, uid.c_str(), sizeof r.AffectedSOPInstanceUID);
  r.DimseStatus = status;
  r.DataSetType = DIMSE_DATASET_NULL;
  r.opts = O_NSET_AFFECTEDSOPCLASSUID | O_NSET_AFFECTEDSOPINSTANCEUID;
  auto detail = errorDetail(status ? why : "");
  if (status) log::warn("MPPS N-SET ", uid, " refused (0x", std::hex, status, std::dec, "): ", why);
  return DIMSE_sendMessageUsingMemoryData(assoc, presId, &rsp, detail.get(), nullptr, nullptr, nullptr).good();
}

std::uint16_t createMpps(const PeerAddress& peer, std::string& uid, DcmDataset& attributes, std::string& error) {
  if (uid.empty()) uid = dicom::newUid();
  T_DIMSE_Message m;
  std::memset(&m, 0, sizeof m);
  m.CommandField = DIMSE_N_CREATE_RQ;
  auto& rq = m.msg.NCreateRQ;
  OFStandard::strlcpy(rq.AffectedSOPClassUID, UID_ModalityPerformedProcedureStepSOPClass, sizeof rq.AffectedSOPClassUID);
  OFStandard::strlcpy(rq.AffectedSOPInstanceUID, uid.c_str(), sizeof rq.AffectedSOPInstanceUID);
  rq.opts = O_NCREATE_AFFECTEDSOPINSTANCEUID;
  rq.DataSetType = DIMSE_DATASET_PRESENT;
  return exchange(peer, m, attributes, DIMSE_N_CREATE_RSP, error);
}

std::uint16_t setMpps(const PeerAddress& peer, const std::string& uid, DcmDataset& modifications, std::string& error) {
  T_DIMSE_Message m;
  std::memset(&m, 0, sizeof m);
  m.CommandField = DIMSE_N_SET_RQ;
  auto& rq = m.msg.NSetRQ;
  OFStandard::strlcpy(rq.RequestedSOPClassUID, UID_ModalityPerformedProcedureStepSOPClass,
                      sizeof rq.RequestedSOPClassUID);
  OFStandard::strlcpy(rq.RequestedSOPInstanceUID, uid.c_str(), sizeof rq.RequestedSOPInstanceUID);
  rq.DataSetType = DIMSE_DATASET_PRESENT;
  return exchange(peer, m, modifications, DIMSE_N_SET_RSP, error);
}

}  // namespace atrium::dimse
