#pragma once
// Bit-preserving C-STORE: the data set bytes of a Part 10 file go on the wire unchanged.
// DCMTK's DIMSE_storeUser re-encodes (group lengths, sequence lengths, padding), so the
// data set PDVs are written here directly through DCMTK's upper layer (DUL).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

struct T_ASC_Association;

namespace atrium::dimse {

// Byte offset of the data set in a file: after "DICM" and the group 0002 elements, or 0 for
// a file without preamble. nullopt if the meta header cannot be walked.
std::optional<std::uint64_t> datasetOffset(const std::filesystem::path& file);

struct RawStoreResult {
  bool ok = false;  // a C-STORE-RSP was received
  std::uint16_t status = 0xFFFF;
  std::string errorComment;  // from the response, if any
  std::string error;         // transport failure
};

RawStoreResult storeFileBytes(T_ASC_Association* assoc, unsigned char presId, std::uint16_t messageId,
                              const std::string& sopClassUid, const std::string& sopInstanceUid,
                              const std::filesystem::path& file, std::uint64_t offset, int timeoutSeconds,
                              const std::string& moveOriginatorAet = "", std::uint16_t moveOriginatorMessageId = 0);

}  // namespace atrium::dimse
