#include "archive/storage_limits.h"

#include <filesystem>

#include "archive/archive.h"
#include "common/log.h"
#include "common/metrics.h"

namespace atrium {
namespace {
constexpr double kGb = 1024.0 * 1024.0 * 1024.0;
constexpr auto kUsedRefresh = std::chrono::seconds(5);

std::string gb(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f GB", bytes / kGb);
  return buf;
}
}  // namespace

StorageLimits::StorageLimits(const StorageLimitsConfig& config, Archive& archive)
    : config_(config), archive_(archive) {}

std::string StorageLimits::overLimit(std::int64_t bytes, bool fresh) {
  if (config_.maxStorageGb > 0) {
    auto now = std::chrono::steady_clock::now();
    if (fresh || now - usedReadAt_ > kUsedRefresh) {
      archive_.index().select("SELECT COALESCE(SUM(size),0) FROM instances", {}, [&](const index::Statement& s) {
        usedBytes_ = s.integer(0);
        return false;
      });
      usedReadAt_ = now;
    }
    double max = config_.maxStorageGb * kGb;
    if (static_cast<double>(usedBytes_ + bytes) > max)
      return "storage limit reached: " + gb(static_cast<double>(usedBytes_)) + " stored, max_storage_gb " + gb(max);
  }
  if (config_.minFreeGb > 0) {
    std::error_code ec;
    auto space = std::filesystem::space(archive_.store().root(), ec);
    double min = config_.minFreeGb * kGb;
    if (!ec && static_cast<double>(space.available) - static_cast<double>(bytes) < min)
      return "disk nearly full: " + gb(static_cast<double>(space.available)) + " free, min_free_gb " + gb(min);
  }
  return "";
}

bool StorageLimits::deleteOldestStudy(const std::string& keep) {
  std::string uid;
  // Oldest by last instance received; never a protected study, nor one a send job still needs.
  archive_.index().select(
      "SELECT study_uid FROM studies st WHERE st.protected=0 AND st.study_uid<>? AND NOT EXISTS (SELECT 1 FROM jobs j "
      "WHERE "
      "j.study_uid=st.study_uid AND j.state IN ('pending','running')) ORDER BY st.updated_at, st.pk LIMIT 1",
      {keep}, [&](const index::Statement& s) {
        uid = s.text(0);
        return false;
      });
  if (uid.empty()) return false;
  std::size_t n = archive_.remove(query::Level::Study, uid, "storage full: oldest study deleted");
  log::warn("storage full: deleted the oldest study ", uid, " (", n, " instances) to make room");
  metrics::counter("atrium_retention_deleted_studies_total", "studies deleted to make room (storage_full_policy)")
      .add();
  return true;
}

std::string StorageLimits::admit(std::int64_t bytes, const std::string& studyUid) {
  if (config_.maxStorageGb <= 0 && config_.minFreeGb <= 0) return "";
  std::lock_guard lock(mutex_);
  std::string why = overLimit(bytes, false);
  if (!why.empty()) why = overLimit(bytes, true);  // a deletion may have made room meanwhile
  // Bounded: each round deletes one study, and there are finitely many.
  while (!why.empty() && config_.whenFull == StorageFullPolicy::DeleteOldest && deleteOldestStudy(studyUid))
    why = overLimit(bytes, true);
  if (!why.empty()) {
    metrics::counter("atrium_storage_refusals_total", "instances refused for a storage limit").add();
    log::warn("refusing an instance: ", why);
    return why;
  }
  usedBytes_ += bytes;
  return "";
}

}  // namespace atrium
