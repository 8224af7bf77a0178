#include "dicom/dcmtk_setup.h"

#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmdata/dcrleerg.h>
#include <dcmtk/dcmdata/dcvr.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpeg/djencode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <dcmtk/dcmjpls/djencode.h>

#include <cstdlib>
#include <mutex>

namespace atrium::dicom {

void initializeDcmtk() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Read defined-length UN elements with their dictionary VR (some senders write UIDs as UN).
    // This only affects how Atrium parses; stored files are never rewritten.
    dcmEnableUnknownVRConversion.set(OFTrue);
    // DCMTK reads this variable when it opens a connection; an explicit setting wins.
    ::setenv("TCP_NODELAY", "1", /*overwrite=*/0);
    DJDecoderRegistration::registerCodecs();
    DJEncoderRegistration::registerCodecs();
    DJLSDecoderRegistration::registerCodecs();
    DJLSEncoderRegistration::registerCodecs();
    DcmRLEDecoderRegistration::registerCodecs();
    DcmRLEEncoderRegistration::registerCodecs();
  });
}

}  // namespace atrium::dicom
