#include "dimse/raw_store.h"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcostrmb.h>
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmnet/dimse.h>
#include <dcmtk/dcmnet/dul.h>

#include <cstring>
#include <fstream>
#include <vector>

namespace atrium::dimse {
namespace {

std::uint16_t le16(const unsigned char* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }
std::uint32_t le32(const unsigned char* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

OFCondition writePdv(T_ASC_Association* assoc, unsigned char presId, DUL_DATAPDV type, bool last, void* data,
                     unsigned long length) {
  DUL_PDV pdv;
  pdv.fragmentLength = length;
  pdv.presentationContextID = presId;
  pdv.pdvType = type;
  pdv.lastPDV = last ? OFTrue : OFFalse;
  pdv.data = data;
  DUL_PDVLIST list;
  std::memset(&list, 0, sizeof list);
  list.count = 1;
  list.pdv = &pdv;
  return DUL_WritePDVs(&assoc->DULassociation, &list);
}

}  // namespace

std::optional<std::uint64_t> datasetOffset(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::vector<unsigned char> head(132);
  if (!in.read(reinterpret_cast<char*>(head.data()), 132)) return 0;  // short: no preamble
  if (std::memcmp(head.data() + 128, "DICM", 4) != 0) return 0;
  std::uint64_t pos = 132;
  unsigned char el[12];
  for (;;) {
    in.seekg(static_cast<std::streamoff>(pos));
    if (!in.read(reinterpret_cast<char*>(el), 8)) return std::nullopt;
    if (le16(el) != 0x0002) return pos;
    bool longForm = (el[4] == 'O' && (el[5] == 'B' || el[5] == 'W' || el[5] == 'F')) ||
                    (el[4] == 'S' && el[5] == 'Q') || (el[4] == 'U' && (el[5] == 'T' || el[5] == 'N'));
    if (longForm) {
      if (!in.read(reinterpret_cast<char*>(el + 8), 4)) return std::nullopt;
      std::uint32_t len = le32(el + 8);
      if (len == 0xFFFFFFFFu) return std::nullopt;
      pos += 12 + len;
    } else {
      pos += 8 + le16(el + 6);
    }
  }
}

RawStoreResult storeFileBytes(T_ASC_Association* assoc, unsigned char presId, std::uint16_t messageId,
                              const std::string& sopClassUid, const std::string& sopInstanceUid,
                              const std::filesystem::path& file, std::uint64_t offset, int timeoutSeconds,
                              const std::string& moveOriginatorAet, std::uint16_t moveOriginatorMessageId) {
  RawStoreResult r;
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    r.error = "cannot open " + file.string();
    return r;
  }
  in.seekg(static_cast<std::streamoff>(offset));

  // The command set, Implicit VR LE with its group length (PS3.7 6.3.1).
  DcmDataset cmd;
  cmd.putAndInsertString(DCM_AffectedSOPClassUID, sopClassUid.c_str());
  cmd.putAndInsertUint16(DCM_CommandField, 0x0001);
  cmd.putAndInsertUint16(DCM_MessageID, messageId);
  cmd.putAndInsertUint16(DCM_Priority, 0x0000);
  cmd.putAndInsertUint16(DCM_CommandDataSetType, 0x0000);
  cmd.putAndInsertString(DCM_AffectedSOPInstanceUID, sopInstanceUid.c_str());
  if (!moveOriginatorAet.empty()) {
    cmd.putAndInsertString(DCM_MoveOriginatorApplicationEntityTitle, moveOriginatorAet.c_str());
    cmd.putAndInsertUint16(DCM_MoveOriginatorMessageID, moveOriginatorMessageId);
  }
  cmd.computeGroupLengthAndPadding(EGL_withGL, EPD_noChange, EXS_LittleEndianImplicit);
  std::vector<char> cmdBytes(4096);
  DcmOutputBufferStream cmdStream(cmdBytes.data(), static_cast<offile_off_t>(cmdBytes.size()));
  cmd.transferInit();
  OFCondition c = cmd.write(cmdStream, EXS_LittleEndianImplicit, EET_ExplicitLength, nullptr, EGL_withGL);
  cmd.transferEnd();
  if (c.bad()) {
    r.error = std::string("cannot encode command: ") + c.text();
    return r;
  }
  void* buf = nullptr;
  offile_off_t cmdLen = 0;
  cmdStream.flushBuffer(buf, cmdLen);
  c = writePdv(assoc, presId, DUL_COMMANDPDV, true, buf, static_cast<unsigned long>(cmdLen));
  if (c.bad()) {
    r.error = std::string("cannot send command: ") + c.text();
    return r;
  }

  // The data set, exactly as stored, in PDVs no larger than the peer accepts (even sizes).
  unsigned long maxPdv = assoc->sendPDVLength & ~1UL;
  if (maxPdv < 2) maxPdv = 16372;
  std::vector<char> chunk(maxPdv), next(maxPdv);
  in.read(chunk.data(), static_cast<std::streamsize>(maxPdv));
  std::streamsize got = in.gcount();
  if (got == 0) {
    c = writePdv(assoc, presId, DUL_DATASETPDV, true, chunk.data(), 0);
  }
  while (got > 0) {
    in.read(next.data(), static_cast<std::streamsize>(maxPdv));
    std::streamsize nextGot = in.gcount();
    c = writePdv(assoc, presId, DUL_DATASETPDV, nextGot == 0, chunk.data(), static_cast<unsigned long>(got));
    if (c.bad()) break;
    chunk.swap(next);
    got = nextGot;
  }
  if (c.bad()) {
    r.error = std::string("cannot send data set: ") + c.text();
    return r;
  }

  T_DIMSE_Message rsp;
  std::memset(&rsp, 0, sizeof rsp);
  T_ASC_PresentationContextID rspPresId = 0;
  DcmDataset* detail = nullptr;
  c = DIMSE_receiveCommand(assoc, DIMSE_NONBLOCKING, timeoutSeconds, &rspPresId, &rsp, &detail);
  if (c.bad()) {
    delete detail;
    r.error = std::string("no C-STORE response: ") + c.text();
    return r;
  }
  if (rsp.CommandField != DIMSE_C_STORE_RSP || rsp.msg.CStoreRSP.MessageIDBeingRespondedTo != messageId) {
    delete detail;
    r.error = "unexpected response to C-STORE";
    return r;
  }
  r.ok = true;
  r.status = rsp.msg.CStoreRSP.DimseStatus;
  const char* comment = nullptr;
  if (detail && detail->findAndGetString(DCM_ErrorComment, comment).good() && comment) r.errorComment = comment;
  delete detail;
  return r;
}

}  // namespace atrium::dimse
