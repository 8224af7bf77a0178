#pragma once
// The one ingest path: C-STORE, STOW-RS and the analysis outputs. A staged Part 10 file is
// validated, made durable in its final place, indexed, and only then reported as stored.
#include <array>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <system_error>

#include "config/config.h"
#include "index/index_db.h"
#include "storage/file_store.h"

namespace atrium::ingest {

enum class IngestStatus {
  Stored,            // new instance
  Duplicate,         // already stored; the first copy was kept (success)
  Replaced,          // already stored; overwritten by policy (success)
  OutOfResources,    // disk or index failure (A700)
  UidMismatch,       // announced SOP Class/Instance differs from the data set (A900)
  CannotUnderstand,  // unparsable, no SOP Instance UID, failed GSPS checks (C000)
};

struct IngestResult {
  IngestStatus status = IngestStatus::CannotUnderstand;
  std::string message;
  std::string sopClassUid, sopInstanceUid;
  std::int64_t bytes = 0;                        // of the stored file (Stored, Replaced)
  std::string patientId, patientName, studyUid;  // when the data set could be read (for the audit trail)
  bool success() const {
    return status == IngestStatus::Stored || status == IngestStatus::Duplicate || status == IngestStatus::Replaced;
  }
};

// What the sender announced (C-STORE request); empty fields are not checked.
struct Announced {
  std::string sopClassUid, sopInstanceUid;
  std::string sourceAet;
  std::string sourceAddress;  // IP address, for the audit trail
};

// Size and checksum already computed while the file was written.
struct KnownFile {
  std::int64_t size = 0;
  std::string checksum;
};

class Ingestor {
 public:
  Ingestor(storage::FileStore& store, index::IndexDatabase& index, DuplicatePolicy policy);

  // A temp file beside the announced instance's final place, for the data set to be streamed into.
  storage::FileStore::Slot stage(const std::string& announcedSopInstanceUid, std::error_code& ec);
  // Validate, commit and index the staged file. The temp file is consumed in every outcome.
  IngestResult finish(const storage::FileStore::Slot& slot, const Announced& announced,
                      const KnownFile* known = nullptr) {
    return audited(counted(commitAndIndex(slot, announced, known)), announced);
  }
  // Ingest a Part 10 file received into a temp file under the storage root (STOW-RS): it is moved,
  // not copied, and consumed in every outcome.
  IngestResult ingestReceived(const std::filesystem::path& tempFile, const std::string& source,
                              const std::string& sourceAddress = {});
  // Asked before a file is committed, with its size and study: "" to go on, else why not (A700).
  // Set before any store (the storage limits).
  using Admission = std::function<std::string(std::int64_t bytes, const std::string& studyUid)>;
  void setAdmission(Admission a) { admission_ = std::move(a); }
  // Told of each instance stored (new or replaced), after it is durable and indexed, with its
  // record and file (the dose registry reads dose reports there). Exceptions are its own to catch.
  using OnStored = std::function<void(const dicom::InstanceRecord& record, const std::filesystem::path& file)>;
  void setOnStored(OnStored f) { onStored_ = std::move(f); }
  // Where to receive such files (a folder on the storage file system).
  std::filesystem::path incomingFolder() const { return store_.root() / "incoming"; }

 private:
  IngestResult commitAndIndex(const storage::FileStore::Slot& slot, const Announced& announced, const KnownFile* known);
  // Every outcome, for /metrics.
  static IngestResult counted(IngestResult result);
  // Each instance received, stored or not, in the audit trail (DICOM Instances Transferred).
  static IngestResult audited(IngestResult result, const Announced& announced);
  std::mutex& lockFor(const std::string& sopInstanceUid);

  storage::FileStore& store_;
  index::IndexDatabase& index_;
  DuplicatePolicy policy_;
  Admission admission_;
  OnStored onStored_;
  std::array<std::mutex, 64> stripes_;  // same-UID stores are serialised, others run in parallel
};

const char* statusName(IngestStatus s);

}  // namespace atrium::ingest
