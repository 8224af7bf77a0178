#include "dimse/echo_scu.h"

#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/dimse.h>

#include <stdexcept>

namespace atrium::dimse {

unsigned short echo(const PeerAddress& peer) {
  auto a = ScuAssociation::open(
      peer,
      {{UID_VerificationSOPClass, {UID_LittleEndianExplicitTransferSyntax, UID_LittleEndianImplicitTransferSyntax}}});
  DIC_US status = 0;
  DcmDataset* detail = nullptr;
  OFCondition c =
      DIMSE_echoUser(a->raw(), a->nextMessageId(), DIMSE_NONBLOCKING, a->timeoutSeconds(), &status, &detail);
  delete detail;
  if (c.bad()) throw std::runtime_error(std::string("C-ECHO failed: ") + c.text());
  a->release();
  return status;
}

}  // namespace atrium::dimse
