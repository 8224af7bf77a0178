#include "dimse/store_service.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcostrmf.h>
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmnet/dimse.h>

#include <cstring>
#include <filesystem>

#include "common/log.h"
#include "dimse/file_sink.h"

namespace atrium::dimse {

bool serveStore(T_ASC_Association* assoc, T_DIMSE_Message& message, unsigned char presId, IStoreRequestHandler& handler,
                int timeout, const std::string& peer, int& stored, int& failed) {
  auto& req = message.msg.CStoreRQ;
  T_ASC_PresentationContext pc;
  StoreRequestInfo info;
  info.sopClassUid = req.AffectedSOPClassUID;
  info.sopInstanceUid = req.AffectedSOPInstanceUID;
  info.callingAet = assoc->params->DULparams.callingAPTitle;
  info.calledAet = assoc->params->DULparams.calledAPTitle;
  info.peerHost = assoc->params->DULparams.callingPresentationAddress;
  T_ASC_PresentationContextID id = presId;
  if (ASC_findAcceptedPresentationContext(assoc->params, id, &pc).good())
    info.transferSyntaxUid = pc.acceptedTransferSyntax;

  Uint16 status = STATUS_Success;
  std::string comment;
  void* token = nullptr;
  std::filesystem::path file = handler.beginStore(info, token);
  bool receivedOk = false;
  if (file.empty()) {
    status = STATUS_STORE_Refused_OutOfResources;
    comment = "cannot create a file for the instance";
  } else {
    DcmOutputFileStream* out = nullptr;
    OFCondition c = DIMSE_createFilestream(file.c_str(), &req, assoc, presId, OFTrue, &out);
    FileSink sink;
    if (c.good()) {
      // The meta header is written; the data set goes through a sink that survives a full disk.
      out->flush();
      offile_off_t metaLength = out->tell();
      delete out;
      std::error_code ec;
      if (std::filesystem::file_size(file, ec) != static_cast<std::uintmax_t>(metaLength) || ec || !sink.open(file))
        c = DIMSE_OUTOFRESOURCES;
    } else {
      delete out;
    }
    if (c.good()) {
      T_ASC_PresentationContextID dataPresId = 0;
      c = DIMSE_receiveDataSetInFile(assoc, DIMSE_NONBLOCKING, timeout, &dataPresId, &sink.stream(), nullptr, nullptr);
      bool writeOk = sink.close();
      if (c.bad()) {
        // The network failed in the middle of the data set: nothing to answer.
        handler.abortStore(token);
        log::warn("C-STORE from ", peer, " of ", info.sopInstanceUid, ": receive failed: ", c.text());
        ++failed;
        return false;
      }
      if (dataPresId != presId) {
        status = STATUS_STORE_Error_CannotUnderstand;
        comment = "data set sent on another presentation context than its command";
      } else if (!writeOk) {
        status = STATUS_STORE_Refused_OutOfResources;
        comment = "cannot write the instance to disk: " + sink.error();
      } else {
        receivedOk = true;
      }
    } else {
      DIC_UL bytes = 0, pdvs = 0;
      OFCondition ig = DIMSE_ignoreDataSet(assoc, DIMSE_NONBLOCKING, timeout, &bytes, &pdvs);
      if (ig.bad()) {
        handler.abortStore(token);
        return false;
      }
      status = STATUS_STORE_Refused_OutOfResources;
      comment = "cannot create a file for the instance";
    }
    if (receivedOk) {
      status = handler.endStore(info, token, ReceivedFile{sink.size(), sink.checksum()}, comment);
    } else {
      handler.abortStore(token);
    }
  }
  if (status == STATUS_Success)
    ++stored;
  else
    ++failed;

  T_DIMSE_C_StoreRSP rsp;
  std::memset(&rsp, 0, sizeof rsp);
  rsp.MessageIDBeingRespondedTo = req.MessageID;
  rsp.DimseStatus = status;
  rsp.DataSetType = DIMSE_DATASET_NULL;
  OFStandard::strlcpy(rsp.AffectedSOPClassUID, req.AffectedSOPClassUID, sizeof rsp.AffectedSOPClassUID);
  OFStandard::strlcpy(rsp.AffectedSOPInstanceUID, req.AffectedSOPInstanceUID, sizeof rsp.AffectedSOPInstanceUID);
  rsp.opts = O_STORE_AFFECTEDSOPCLASSUID | O_STORE_AFFECTEDSOPINSTANCEUID;
  DcmDataset* detail = nullptr;
  if (status != STATUS_Success && !comment.empty()) {
    detail = new DcmDataset;
    detail->putAndInsertString(DCM_ErrorComment, comment.substr(0, 64).c_str());
  }
  OFCondition c = DIMSE_sendStoreResponse(assoc, presId, &req, &rsp, detail);
  delete detail;
  if (c.bad()) {
    log::warn("C-STORE response to ", peer, " failed: ", c.text());
    return false;
  }
  return true;
}

}  // namespace atrium::dimse
