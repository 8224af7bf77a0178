#pragma once
// The archive as the DIMSE server sees it: a data folder holding the files and their index.
// Implements the store handler with the one ingest path.
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>

#include "archive/peer_registry.h"
#include "config/config.h"
#include "dimse/commitment.h"
#include "dimse/mpps.h"
#include "dimse/query_handlers.h"
#include "dimse/store_handler.h"
#include "index/index_db.h"
#include "ingest/ingestor.h"
#include "query/query.h"
#include "storage/file_store.h"

namespace atrium {

// <data>/storage/... files, <data>/index.db the SQLite index.
struct DataLayout {
  explicit DataLayout(const std::filesystem::path& dataDir)
      : storage(dataDir / "storage"), indexFile(dataDir / "index.db") {}
  std::filesystem::path storage, indexFile;
};

class StorageLimits;

class Archive : public dimse::IStoreRequestHandler,
                public dimse::IFindRequestHandler,
                public dimse::IRetrieveRequestHandler,
                public dimse::ICommitmentHandler,
                public dimse::IMppsHandler {
 public:
  explicit Archive(const Config& config);
  ~Archive();

  std::filesystem::path beginStore(const dimse::StoreRequestInfo& info, void*& token) override;
  std::uint16_t endStore(const dimse::StoreRequestInfo& info, void* token, const dimse::ReceivedFile& received,
                         std::string& errorComment) override;
  void abortStore(void* token) override;

  std::uint16_t find(const std::string& sopClassUid, DcmDataset& identifier,
                     const std::function<bool(DcmDataset&)>& onMatch, std::string& errorComment) override;
  std::uint16_t resolve(const std::string& sopClassUid, DcmDataset& identifier, std::vector<dimse::SendItem>& items,
                        std::string& errorComment) override;
  std::optional<dimse::PeerAddress> moveDestination(const std::string& aet) override;

  dimse::CommitmentResult commit(const std::string& transactionUid, const std::vector<dimse::SopRef>& refs) override;
  std::optional<dimse::PeerAddress> reportDestination(const std::string& callingAet) override;

  std::uint16_t createStep(const std::string& sopInstanceUid, DcmDataset& attributes, const std::string& callingAet,
                           std::string& error) override;
  std::uint16_t setStep(const std::string& sopInstanceUid, DcmDataset& modifications, std::string& error) override;

  // Deletes a study, series or instance (level Study, Series or Image); returns how many
  // instances went (0: nothing with that UID). Throws std::runtime_error when the index fails.
  // `by`, `from`: who asked and from where, for the audit trail (empty: the archive itself, `why`).
  std::size_t remove(query::Level level, const std::string& uid, const std::string& why, const std::string& by = {},
                     const std::string& from = {});

  ingest::Ingestor& ingestor() { return *ingestor_; }
  index::IndexDatabase& index() { return *index_; }
  storage::FileStore& store() { return *store_; }
  PeerRegistry& peers() { return *peers_; }
  const Config& config() const { return config_; }
  // Protects a study from deletion to make room (or lifts it); false when there is no such study.
  bool setProtected(const std::string& studyUid, bool on);
  // Removes worklist items past their retention; at most once a minute (queries call it).
  void expireWorklist();

 private:
  const Config& config_;
  std::mutex expiryMutex_;
  std::optional<std::chrono::steady_clock::time_point> lastExpiry_;
  DataLayout layout_;
  std::unique_ptr<storage::FileStore> store_;
  std::unique_ptr<index::IndexDatabase> index_;
  std::unique_ptr<ingest::Ingestor> ingestor_;
  std::unique_ptr<PeerRegistry> peers_;
  std::unique_ptr<StorageLimits> limits_;
};

std::uint16_t dimseStatusFor(ingest::IngestStatus status);

}  // namespace atrium
