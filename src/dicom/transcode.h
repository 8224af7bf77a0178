#pragma once
// A stored file in another transfer syntax, for peers and web clients that cannot take the stored
// one: DCMTK's codecs, and GDCM for JPEG 2000 input (DCMTK has no JPEG 2000 decoder).
#include <filesystem>
#include <string>

class DcmFileFormat;

namespace atrium::dicom {

// Loads file (stored in storedTs) with its data set in targetTs; false and *error if impossible.
bool loadInTransferSyntax(const std::filesystem::path& file, const std::string& storedTs, const std::string& targetTs,
                          DcmFileFormat& out, std::string& error);

// A data set stored without the Part 10 header (no preamble, no meta information; implicit or
// explicit VR guessed by DCMTK) written to `out` as a Part 10 file in the transfer syntax it was read
// in. False and *error when `in` is no such data set (no SOP Class and Instance UID).
bool addPart10Header(const std::filesystem::path& in, const std::filesystem::path& out, std::string& error);

// The Part 10 bytes of ff written in ts (meta header updated).
bool writePart10(DcmFileFormat& ff, const std::string& ts, std::string& bytes, std::string& error);

}  // namespace atrium::dicom
