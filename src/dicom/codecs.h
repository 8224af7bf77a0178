#pragma once
namespace atrium::dicom {
// Register DCMTK's decoders/encoders (JPEG, JPEG-LS, RLE) once per process.
void registerCodecs();
}  // namespace atrium::dicom
