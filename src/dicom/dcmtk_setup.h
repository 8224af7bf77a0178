#pragma once
namespace atrium::dicom {
// Process-wide DCMTK setup, once: codecs (JPEG, JPEG-LS, RLE), UN re-conversion on read,
// and TCP_NODELAY (without it every DIMSE response waits ~40 ms on a delayed ACK).
void initializeDcmtk();
}  // namespace atrium::dicom
