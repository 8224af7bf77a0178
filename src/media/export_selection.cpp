#include "media/export_selection.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "audit/audit_trail.h"
#include "media/zip_archive.h"
#include "query/runner.h"

namespace atrium::media {
namespace {

constexpr query::Tag kPatientId = query::tag(0x0010, 0x0020);
constexpr query::Tag kIssuer = query::tag(0x0010, 0x0021);
constexpr query::Tag kPatientName = query::tag(0x0010, 0x0010);

std::size_t addMatches(const index::IndexDatabase& index, const storage::FileStore& store, query::Tag keyTag,
                       const std::string& vr, const std::string& value, std::vector<MediaItem>& out) {
  query::Query q;
  q.root = query::Root::Study;
  q.level = query::Level::Image;
  q.keys.push_back({keyTag, 0, vr, value});
  for (query::Tag t : {kPatientId, kIssuer, kPatientName})
    if (t != keyTag) q.keys.push_back({t, 0, t == kPatientName ? "PN" : "LO", ""});
  std::size_t n = 0;
  query::runQuery(index, q, [&](query::Match&& m) {
    MediaItem item;
    item.file = store.absolutePath(m.path);
    for (const auto& [t, v] : m.values) {
      if (t == kPatientId) item.patientId = v;
      if (t == kPatientName) item.patientName = v;
      if (t == kIssuer) item.patientKey = v;
    }
    if (keyTag == kPatientId) item.patientId = value;
    item.patientKey = item.patientId + '\x1f' + item.patientKey;
    item.studyUid = m.studyUid;
    item.seriesUid = m.seriesUid;
    item.sopUid = m.sopUid;
    item.transferSyntax = m.transferSyntax;
    out.push_back(std::move(item));
    ++n;
    return true;
  });
  return n;
}

}  // namespace

std::vector<MediaItem> selectForExport(const index::IndexDatabase& index, const storage::FileStore& store,
                                       const std::vector<std::string>& studyUids,
                                       const std::vector<std::string>& patientIds, std::vector<std::string>& unknown) {
  std::vector<MediaItem> items;
  for (const auto& uid : studyUids)
    if (addMatches(index, store, query::tag(0x0020, 0x000D), "UI", uid, items) == 0) unknown.push_back("study " + uid);
  for (const auto& id : patientIds)
    if (addMatches(index, store, kPatientId, "LO", id, items) == 0) unknown.push_back("patient " + id);
  // A study named twice (by its UID and its patient) is exported once.
  std::vector<MediaItem> unique;
  std::map<std::string, bool> seen;
  for (auto& i : items)
    if (seen.emplace(i.sopUid, true).second) unique.push_back(std::move(i));
  return unique;
}

void auditExport(const std::vector<MediaItem>& items, const std::string& user, const std::string& address,
                 const std::string& destination) {
  std::map<std::string, std::pair<const MediaItem*, std::size_t>> studies;
  for (const auto& i : items) {
    auto& s = studies[i.studyUid];
    if (!s.first) s.first = &i;
    ++s.second;
  }
  for (const auto& [uid, s] : studies) {
    audit::Message m;
    m.event = audit::Event::Export;
    m.action = 'R';
    m.user = user;
    m.address = address;
    m.patientId = s.first->patientId;
    m.patientName = s.first->patientName;
    m.studyUid = uid;
    m.detail = std::to_string(s.second) + " instances exported to " + destination;
    audit::record(m);
  }
}

void writeZip(const std::vector<MediaItem>& items, ZipWriter& zip) {
  std::map<std::string, std::size_t> patients, studies, series;
  std::map<std::string, std::size_t> instancesOfSeries;
  auto number = [](std::map<std::string, std::size_t>& m, const std::string& k) {
    return m.emplace(k, m.size() + 1).first->second;
  };
  for (const auto& i : items) {
    char name[96];
    std::snprintf(name, sizeof name, "PA%06zu/ST%06zu/SE%06zu/IM%06zu.dcm", number(patients, i.patientKey),
                  number(studies, i.studyUid), number(series, i.seriesUid), ++instancesOfSeries[i.seriesUid]);
    zip.addFile(name, i.file);
  }
}

void writeZipOfFolder(const std::filesystem::path& folder, ZipWriter& zip) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(folder))
    if (e.is_regular_file()) files.push_back(e.path());
  // DICOMDIR and README.TXT first, as a medium lists them.
  std::sort(files.begin(), files.end(), [&](const auto& a, const auto& b) {
    bool ra = a.parent_path() == folder, rb = b.parent_path() == folder;
    return ra != rb ? ra : a < b;
  });
  for (const auto& f : files) zip.addFile(std::filesystem::relative(f, folder).generic_string(), f);
}

}  // namespace atrium::media
