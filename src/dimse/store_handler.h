#pragma once
// What the DIMSE layer asks of whoever keeps instances (the server implements it with the
// Ingestor). The network code streams the data set into the file the handler names.
#include <cstdint>
#include <filesystem>
#include <string>

namespace atrium::dimse {

struct StoreRequestInfo {
  std::string sopClassUid, sopInstanceUid;  // as announced in the C-STORE-RQ
  std::string callingAet, calledAet, peerHost;
  std::string transferSyntaxUid;  // negotiated for this context
};

// What the network layer learnt while writing the file (saves reading it back).
struct ReceivedFile {
  std::uint64_t size = 0;
  std::string checksum;  // XXH3-128 hex of the whole file
};

class IStoreRequestHandler {
 public:
  virtual ~IStoreRequestHandler() = default;
  // A fresh file to stream the data set into; empty path = out of resources.
  virtual std::filesystem::path beginStore(const StoreRequestInfo& info, void*& token) = 0;
  // The data set is complete in the file: keep it, index it. Returns the DIMSE status.
  virtual std::uint16_t endStore(const StoreRequestInfo& info, void* token, const ReceivedFile& received,
                                 std::string& errorComment) = 0;
  // Receiving failed: forget the file.
  virtual void abortStore(void* token) = 0;
};

}  // namespace atrium::dimse
