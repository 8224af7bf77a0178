#include "archive/archive.h"

#include <dcmtk/dcmnet/dimse.h>

#include "archive/data_correction.h"
#include "archive/storage_limits.h"
#include "dose/dose_registry.h"
#include "common/log.h"
#include "index/sqlite_util.h"

namespace atrium {

std::uint16_t dimseStatusFor(ingest::IngestStatus s) {
  switch (s) {
    case ingest::IngestStatus::Stored:
    case ingest::IngestStatus::Duplicate:
    case ingest::IngestStatus::Replaced:
      return STATUS_Success;
    case ingest::IngestStatus::OutOfResources:
      return STATUS_STORE_Refused_OutOfResources;
    case ingest::IngestStatus::UidMismatch:
      return STATUS_STORE_Error_DataSetDoesNotMatchSOPClass;
    case ingest::IngestStatus::CannotUnderstand:
      return STATUS_STORE_Error_CannotUnderstand;
  }
  return STATUS_STORE_Error_CannotUnderstand;
}

Archive::Archive(const Config& config) : config_(config), layout_(config.dataDir) {
  std::filesystem::create_directories(config.dataDir);
  store_ = std::make_unique<storage::FileStore>(layout_.storage);
  index_ = std::make_unique<index::IndexDatabase>(layout_.indexFile);
  // A correction's new files are temp files until moved into place: finish that first.
  finishPendingSwaps(*store_, *index_);
  store_->removeStaleTempFiles();
  ingestor_ = std::make_unique<ingest::Ingestor>(*store_, *index_, config.duplicatePolicy);
  peers_ = std::make_unique<PeerRegistry>(config.peers, *index_);
  limits_ = std::make_unique<StorageLimits>(config.storage, *this);
  ingestor_->setAdmission(
      [this](std::int64_t bytes, const std::string& study) { return limits_->admit(bytes, study); });
  // Dose reports are read as they arrive (the dose registry, GET /api/dose).
  ingestor_->setOnStored([this](const dicom::InstanceRecord& record, const std::filesystem::path& file) {
    if (!dose::isDoseReportSopClass(record.instance.sopClassUid)) return;
    try {
      auto report = dose::readDoseReport(file);
      if (!report) return;
      for (const auto& a : dose::recordDoseReport(*index_, *report, config_.doseNotificationLevels))
        log::warn("dose notification: study ", a.studyUid, " (patient ", a.patientId, "), protocol '", a.protocol,
                  "': ", a.quantity, " ", a.value, " above the level ", a.level);
    } catch (const std::exception& e) {
      log::warn("dose report ", record.instance.sopInstanceUid, " not read: ", e.what());
    }
  });
}

Archive::~Archive() = default;

bool Archive::setProtected(const std::string& studyUid, bool on) {
  bool found = false;
  index_->select("SELECT 1 FROM studies WHERE study_uid=?", {studyUid}, [&](const index::Statement&) {
    found = true;
    return false;
  });
  if (!found) return false;
  std::string error;
  if (!index_->write(
          [&](sqlite3* c) {
            index::Statement s(c, "UPDATE studies SET protected=? WHERE study_uid=?");
            s.bind(1, on ? 1 : 0).bind(2, studyUid);
            s.step();
          },
          &error))
    throw std::runtime_error("cannot update the index: " + error);
  return true;
}

std::filesystem::path Archive::beginStore(const dimse::StoreRequestInfo& info, void*& token) {
  std::error_code ec;
  auto slot = std::make_unique<storage::FileStore::Slot>(ingestor_->stage(info.sopInstanceUid, ec));
  if (ec) {
    log::error("cannot prepare storage for ", info.sopInstanceUid, ": ", ec.message());
    token = nullptr;
    return {};
  }
  auto path = slot->tempPath;
  token = slot.release();
  return path;
}

std::uint16_t Archive::endStore(const dimse::StoreRequestInfo& info, void* token, const dimse::ReceivedFile& received,
                                std::string& comment) {
  std::unique_ptr<storage::FileStore::Slot> slot(static_cast<storage::FileStore::Slot*>(token));
  ingest::KnownFile known{static_cast<std::int64_t>(received.size), received.checksum};
  auto result = ingestor_->finish(
      *slot, ingest::Announced{info.sopClassUid, info.sopInstanceUid, info.callingAet, info.peerHost}, &known);
  auto status = dimseStatusFor(result.status);
  if (result.success()) {
    log::info("C-STORE ", info.sopInstanceUid, " from ", info.callingAet, ": ", ingest::statusName(result.status), " (",
              info.transferSyntaxUid, ")");
  } else {
    comment = result.message;
    log::warn("C-STORE ", info.sopInstanceUid, " from ", info.callingAet, ": ", ingest::statusName(result.status),
              " status 0x", std::hex, status, std::dec, ": ", result.message);
  }
  return status;
}

void Archive::abortStore(void* token) {
  std::unique_ptr<storage::FileStore::Slot> slot(static_cast<storage::FileStore::Slot*>(token));
  if (!slot) return;
  std::error_code ec;
  std::filesystem::remove(slot->tempPath, ec);
}

}  // namespace atrium
