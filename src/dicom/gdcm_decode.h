#pragma once
// JPEG 2000 decoding through GDCM (with OpenJPEG): DCMTK as packaged has no JPEG 2000 codec.
#include <filesystem>
#include <string>

class DcmFileFormat;

namespace atrium::dicom {

bool isJpeg2000(const std::string& transferSyntaxUid);

// Decode a file's pixel data to Explicit VR Little Endian and load the result into `out`.
// False (with a reason) when GDCM cannot.
bool loadDecodedWithGdcm(const std::filesystem::path& file, DcmFileFormat& out, std::string& error);
// Encode a file's pixel data as JPEG 2000 lossless (for peers that ask for it) into `out`.
bool loadJpeg2000LosslessWithGdcm(const std::filesystem::path& file, DcmFileFormat& out, std::string& error);

}  // namespace atrium::dicom
