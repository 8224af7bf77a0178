#include "dicom/sop_classes.h"
#include "dimse/qr_scu.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/scu.h>
#include <dcmtk/dcmtls/tlslayer.h>

#include <stdexcept>

#include "common/hash.h"
#include "dicom/transfer_syntax.h"
#include "dicom/uid.h"
#include "dimse/tls.h"

namespace atrium::dimse {
namespace {

class QrScu : public DcmSCU {
 public:
  std::function<void(DcmDataset&)> onMatch;
  std::function<void(const RetrieveProgress&)> onProgress;
  std::filesystem::path outDir;
  std::size_t received = 0;
  QrResult result;

  // DCMTK keeps this protected (for its DcmTLSSCU); our TLS layer comes from makeTlsLayer.
  OFCondition secure(DcmTransportLayer* layer) { return useSecureConnection(layer); }

  OFCondition handleFINDResponse(const T_ASC_PresentationContextID, QRResponse* r, OFBool& waitForNext) override {
    waitForNext = r->m_status == STATUS_Pending || r->m_status == STATUS_FIND_Pending_WarningUnsupportedOptionalKeys;
    if (waitForNext && r->m_dataset && onMatch) onMatch(*r->m_dataset);
    if (!waitForNext) final(r->m_status, r->m_statusDetail, nullptr);
    return EC_Normal;
  }

  OFCondition handleMOVEResponse(const T_ASC_PresentationContextID, RetrieveResponse* r, OFBool& waitForNext) override {
    return retrieveResponse(r, waitForNext);
  }

  OFCondition handleCGETResponse(const T_ASC_PresentationContextID, RetrieveResponse* r, OFBool& waitForNext) override {
    return retrieveResponse(r, waitForNext);
  }

  // Never a path from an unchecked UID: a valid UID is digits and dots only.
  OFCondition handleSTORERequestFile(T_ASC_PresentationContextID* presID, const OFString&,
                                     T_DIMSE_C_StoreRQ* request) override {
    std::string uid = dicom::trimUid(request->AffectedSOPInstanceUID);
    std::string name = dicom::isValidUid(uid) ? uid : hash::xxh128Hex(uid);
    ++received;
    return DcmSCU::handleSTORERequestFile(presID, (outDir / (name + ".dcm")).c_str(), request);
  }

 private:
  OFCondition retrieveResponse(RetrieveResponse* r, OFBool& waitForNext) {
    waitForNext = r->m_status == STATUS_Pending;
    RetrieveProgress p{r->m_numberOfRemainingSubops, r->m_numberOfCompletedSubops, r->m_numberOfFailedSubops,
                       r->m_numberOfWarningSubops};
    if (onProgress) onProgress(p);
    if (!waitForNext) final(r->m_status, r->m_statusDetail, r->m_dataset);
    return EC_Normal;
  }

  void final(Uint16 status, DcmDataset* detail, DcmDataset* ids) {
    result.status = status;
    const char* s = nullptr;
    if (detail && detail->findAndGetString(DCM_ErrorComment, s).good() && s) result.errorComment = s;
    OFString failed;
    if (ids && ids->findAndGetOFStringArray(DCM_FailedSOPInstanceUIDList, failed).good())
      result.failedUids = failed.c_str();
  }
};

const char* sopClassFor(QrModel m, char service) {
  if (m == QrModel::Worklist) return UID_FINDModalityWorklistInformationModel;
  if (service == 'F')
    return m == QrModel::PatientRoot ? UID_FINDPatientRootQueryRetrieveInformationModel
                                     : UID_FINDStudyRootQueryRetrieveInformationModel;
  if (service == 'M')
    return m == QrModel::PatientRoot ? UID_MOVEPatientRootQueryRetrieveInformationModel
                                     : UID_MOVEStudyRootQueryRetrieveInformationModel;
  return m == QrModel::PatientRoot ? UID_GETPatientRootQueryRetrieveInformationModel
                                   : UID_GETStudyRootQueryRetrieveInformationModel;
}

OFList<OFString> uncompressed() {
  OFList<OFString> ts;
  ts.push_back(UID_LittleEndianExplicitTransferSyntax);
  ts.push_back(UID_LittleEndianImplicitTransferSyntax);
  return ts;
}

// `tls` receives the TLS layer of a TLS peer; the caller keeps it alive longer than the scu.
void connect(QrScu& scu, const PeerAddress& peer, const char* sopClass, std::unique_ptr<DcmTLSTransportLayer>& tls) {
  scu.setAETitle(peer.callingAet.c_str());
  scu.setPeerHostName(peer.host.c_str());
  scu.setPeerPort(static_cast<Uint16>(peer.port));
  scu.setPeerAETitle(peer.calledAet.c_str());
  scu.setMaxReceivePDULength(static_cast<Uint32>(peer.maxPdu));
  scu.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
  scu.setDIMSETimeout(static_cast<Uint32>(peer.timeoutSeconds));
  scu.setACSETimeout(static_cast<Uint32>(peer.timeoutSeconds));
  scu.setConnectionTimeout(peer.timeoutSeconds);
  scu.addPresentationContext(sopClass, uncompressed());
  OFCondition c = scu.initNetwork();
  if (c.good() && peer.tls) {
    tls = makeTlsLayer(*peer.tls, TlsRole::Client, peer.host);
    c = scu.secure(tls.get());
  }
  takeTlsRefusal();
  if (c.good()) c = scu.negotiateAssociation();
  if (c.bad()) {
    std::string why = c.text();
    if (auto refused = takeTlsRefusal(); !refused.empty()) why = "TLS: server certificate refused: " + refused;
    throw std::runtime_error("cannot associate with " + peer.calledAet + "@" + peer.host + ":" +
                             std::to_string(peer.port) + ": " + why);
  }
}

T_ASC_PresentationContextID contextFor(QrScu& scu, const char* sopClass) {
  T_ASC_PresentationContextID id = scu.findAnyPresentationContextID(sopClass, UID_LittleEndianExplicitTransferSyntax);
  if (id == 0) throw std::runtime_error(std::string("peer does not support ") + dcmFindNameOfUID(sopClass, sopClass));
  return id;
}

}  // namespace

QrResult findScu(const PeerAddress& peer, QrModel model, DcmDataset& identifier,
                 const std::function<void(DcmDataset&)>& onMatch) {
  std::unique_ptr<DcmTLSTransportLayer> tls;
  QrScu scu;
  scu.onMatch = onMatch;
  const char* sc = sopClassFor(model, 'F');
  connect(scu, peer, sc, tls);
  OFCondition c = scu.sendFINDRequest(contextFor(scu, sc), &identifier, nullptr);
  if (c.bad()) throw std::runtime_error(std::string("C-FIND failed: ") + c.text());
  scu.releaseAssociation();
  return scu.result;
}

QrResult moveScu(const PeerAddress& peer, QrModel model, const std::string& destination, DcmDataset& identifier,
                 const std::function<void(const RetrieveProgress&)>& onProgress) {
  std::unique_ptr<DcmTLSTransportLayer> tls;
  QrScu scu;
  scu.onProgress = onProgress;
  const char* sc = sopClassFor(model, 'M');
  connect(scu, peer, sc, tls);
  OFCondition c = scu.sendMOVERequest(contextFor(scu, sc), destination.c_str(), &identifier, nullptr);
  if (c.bad()) throw std::runtime_error(std::string("C-MOVE failed: ") + c.text());
  scu.releaseAssociation();
  return scu.result;
}

QrResult getScu(const PeerAddress& peer, QrModel model, DcmDataset& identifier, const std::filesystem::path& outDir,
                const std::function<void(const RetrieveProgress&)>& onProgress) {
  std::unique_ptr<DcmTLSTransportLayer> tls;
  QrScu scu;
  scu.onProgress = onProgress;
  scu.outDir = outDir;
  scu.setStorageMode(DCMSCU_STORAGE_BIT_PRESERVING);
  scu.setStorageDir(outDir.c_str());
  // Storage contexts in which we are the SCP; every syntax we can keep, so files arrive as stored.
  OFList<OFString> all;
  for (const auto& ts : dicom::acceptedTransferSyntaxes()) all.push_back(ts.c_str());
  for (int i = 0; i < numberOfDcmLongSCUStorageSOPClassUIDs && i < 120; ++i)
    scu.addPresentationContext(dcmLongSCUStorageSOPClassUIDs[i], all, ASC_SC_ROLE_SCP);
  // The private classes we keep (3 more: 124 of the 128 contexts an association may carry).
  for (const auto& p : dicom::knownPrivateStorageClasses()) scu.addPresentationContext(p.uid, all, ASC_SC_ROLE_SCP);
  const char* sc = sopClassFor(model, 'G');
  connect(scu, peer, sc, tls);
  OFCondition c = scu.sendCGETRequest(contextFor(scu, sc), &identifier, nullptr);
  if (c.bad()) throw std::runtime_error(std::string("C-GET failed: ") + c.text());
  scu.releaseAssociation();
  scu.result.received = scu.received;
  return scu.result;
}

}  // namespace atrium::dimse
