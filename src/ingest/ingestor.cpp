#include "ingest/ingestor.h"

#include <functional>

#include "audit/audit_trail.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/metrics.h"
#include "dicom/instance_reader.h"

namespace atrium::ingest {

const char* statusName(IngestStatus s) {
  switch (s) {
    case IngestStatus::Stored:
      return "stored";
    case IngestStatus::Duplicate:
      return "duplicate-kept-first";
    case IngestStatus::Replaced:
      return "duplicate-replaced";
    case IngestStatus::OutOfResources:
      return "out-of-resources";
    case IngestStatus::UidMismatch:
      return "uid-mismatch";
    case IngestStatus::CannotUnderstand:
      return "cannot-understand";
  }
  return "?";
}

Ingestor::Ingestor(storage::FileStore& store, index::IndexDatabase& index, DuplicatePolicy policy)
    : store_(store), index_(index), policy_(policy) {}

std::mutex& Ingestor::lockFor(const std::string& uid) {
  return stripes_[std::hash<std::string>{}(uid) % stripes_.size()];
}

storage::FileStore::Slot Ingestor::stage(const std::string& uid, std::error_code& ec) {
  return store_.prepare(uid, ec);
}

IngestResult Ingestor::counted(IngestResult r) {
  static metrics::CounterSet<6> byOutcome(
      "atrium_instances_total", "instances received (C-STORE, STOW-RS, analysis outputs), by outcome", "outcome");
  static metrics::Counter& bytes = metrics::counter("atrium_stored_bytes_total", "bytes of instances stored");
  byOutcome.at(static_cast<std::size_t>(r.status), statusName(r.status)).add();
  if (r.status == IngestStatus::Stored || r.status == IngestStatus::Replaced)
    bytes.add(static_cast<std::uint64_t>(r.bytes));
  return r;
}

IngestResult Ingestor::audited(IngestResult r, const Announced& announced) {
  audit::Message m;
  m.event = audit::Event::InstancesTransferred;
  m.action = r.status == IngestStatus::Replaced ? 'U' : 'C';
  m.outcome = r.success() ? audit::Outcome::Success : audit::Outcome::MinorFailure;
  m.user = announced.sourceAet;
  m.address = announced.sourceAddress;
  m.patientId = r.patientId;
  m.patientName = r.patientName;
  m.studyUid = r.studyUid;
  m.detail = std::string(statusName(r.status)) + " " + r.sopInstanceUid + (r.message.empty() ? "" : ": " + r.message);
  audit::record(std::move(m));
  return r;
}

IngestResult Ingestor::commitAndIndex(const storage::FileStore::Slot& slot, const Announced& announced,
                                      const KnownFile* known) {
  IngestResult res;
  auto fail = [&](IngestStatus s, std::string msg) {
    store_.discard(slot);
    res.status = s;
    res.message = std::move(msg);
    return res;
  };

  dicom::ReadResult read = dicom::readInstanceFile(slot.tempPath);
  res.sopClassUid = read.record.instance.sopClassUid;
  res.sopInstanceUid = read.record.instance.sopInstanceUid;
  res.patientId = read.record.patient.patientId;
  res.patientName = read.record.patient.patientName;
  res.studyUid = read.record.study.studyInstanceUid;
  if (!read.ok()) return fail(IngestStatus::CannotUnderstand, read.message);

  const auto& inst = read.record.instance;
  if (!announced.sopInstanceUid.empty() && announced.sopInstanceUid != inst.sopInstanceUid)
    return fail(IngestStatus::UidMismatch,
                "SOP Instance UID differs: data set " + inst.sopInstanceUid + ", request " + announced.sopInstanceUid);
  if (!announced.sopClassUid.empty() && announced.sopClassUid != inst.sopClassUid)
    return fail(IngestStatus::UidMismatch,
                "SOP Class UID differs: data set " + inst.sopClassUid + ", request " + announced.sopClassUid);
  if (store_.relativePathFor(inst.sopInstanceUid) != slot.finalRelative)
    return fail(IngestStatus::CannotUnderstand, "staged under another SOP Instance UID");

  std::lock_guard lock(lockFor(inst.sopInstanceUid));
  bool overwrite = policy_ == DuplicatePolicy::Overwrite;
  // The final file only exists if this UID was stored before (or a crash hit between rename and
  // index commit); only then is the index asked.
  std::error_code existsEc;
  bool fileThere = std::filesystem::exists(store_.absolutePath(slot.finalRelative), existsEc);
  if (!overwrite && fileThere && index_.findInstance(inst.sopInstanceUid)) {
    store_.discard(slot);
    res.status = IngestStatus::Duplicate;
    res.message = "already stored; kept the first copy";
    return res;
  }

  index::StoredFile file;
  file.relativePath = slot.finalRelative.string();
  file.sourceAet = announced.sourceAet;
  std::error_code ec;
  if (known) {
    file.size = known->size;
    file.checksum = known->checksum;
  } else {
    file.size = static_cast<std::int64_t>(std::filesystem::file_size(slot.tempPath, ec));
    auto sum = hash::fileChecksum(slot.tempPath);
    if (ec || !sum) return fail(IngestStatus::OutOfResources, "cannot read back the received file");
    file.checksum = *sum;
  }

  if (admission_ && !(overwrite && fileThere)) {
    if (auto why = admission_(file.size, read.record.study.studyInstanceUid); !why.empty())
      return fail(IngestStatus::OutOfResources, why);
  }
  if (auto cec = store_.commit(slot)) return fail(IngestStatus::OutOfResources, "cannot store file: " + cec.message());

  std::string err;
  auto outcome = index_.addInstance(read.record, file, overwrite, &err);
  switch (outcome) {
    case index::InsertOutcome::Inserted:
      res.bytes = file.size;
      res.status = IngestStatus::Stored;
      break;
    case index::InsertOutcome::Replaced:
      res.bytes = file.size;
      res.status = IngestStatus::Replaced;
      break;
    case index::InsertOutcome::AlreadyPresent:
      res.status = IngestStatus::Duplicate;
      break;
    case index::InsertOutcome::Failed: {
      // Not acknowledged, so not kept: a file without its row would confuse nobody, but a
      // replaced file without its row would.
      if (!overwrite) std::filesystem::remove(store_.absolutePath(slot.finalRelative), ec);
      res.status = IngestStatus::OutOfResources;
      res.message = err;
      return res;
    }
  }
  if (onStored_ && (res.status == IngestStatus::Stored || res.status == IngestStatus::Replaced))
    onStored_(read.record, store_.absolutePath(slot.finalRelative));
  return res;
}

IngestResult Ingestor::ingestReceived(const std::filesystem::path& src, const std::string& source,
                                      const std::string& sourceAddress) {
  IngestResult res;
  std::error_code ec;
  auto meta = dicom::readFileMeta(src);
  if (!meta.ok) {
    std::filesystem::remove(src, ec);
    res.message = meta.message;
    return counted(res);
  }
  auto slot = stage(meta.sopInstanceUid, ec);
  if (!ec) std::filesystem::rename(src, slot.tempPath, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(src, ignored);
    store_.discard(slot);
    res.status = IngestStatus::OutOfResources;
    res.message = "cannot stage file: " + ec.message();
    return counted(res);
  }
  return finish(slot, Announced{meta.sopClassUid, meta.sopInstanceUid, source, sourceAddress});
}

}  // namespace atrium::ingest
