#include "media/file_set_reader.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcdicdir.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <cctype>
#include <optional>

namespace atrium::media {
namespace {

bool sameIgnoringCase(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
         });
}

// base/components, each component matched exactly or else without regard to case (media written
// on one system and mounted on another change case; a trailing ";1" of ISO 9660 is tolerated).
std::optional<std::filesystem::path> resolve(const std::filesystem::path& base, const std::vector<std::string>& parts) {
  std::filesystem::path at = base;
  std::error_code ec;
  for (const auto& part : parts) {
    if (part.empty() || part == "." || part == "..") return std::nullopt;
    if (std::filesystem::exists(at / part, ec)) {
      at /= part;
      continue;
    }
    std::optional<std::filesystem::path> found;
    for (auto it = std::filesystem::directory_iterator(at, ec); !ec && it != std::filesystem::directory_iterator();
         it.increment(ec)) {
      std::string name = it->path().filename().string();
      if (sameIgnoringCase(name, part) || sameIgnoringCase(name, part + ";1") || sameIgnoringCase(name, part + ".")) {
        found = it->path();
        break;
      }
    }
    if (!found) return std::nullopt;
    at = *found;
  }
  return at;
}

void collect(DcmDirectoryRecord* record, const std::filesystem::path& base, FileSetContents& out) {
  for (unsigned long i = 0; i < record->cardSub(); ++i) {
    DcmDirectoryRecord* sub = record->getSub(i);
    OFString id;
    if (sub->findAndGetOFStringArray(DCM_ReferencedFileID, id).good() && !id.empty()) {
      std::vector<std::string> parts;
      std::string s(id.c_str()), part;
      for (char ch : s) {
        if (ch == '\\') {
          parts.push_back(part);
          part.clear();
        } else if (ch != ' ') {
          part += ch;
        }
      }
      parts.push_back(part);
      std::string shown = s;
      std::replace(shown.begin(), shown.end(), '\\', '/');
      if (auto p = resolve(base, parts); p && std::filesystem::is_regular_file(*p))
        out.files.push_back(*p);
      else
        out.missing.push_back(shown);
    }
    collect(sub, base, out);
  }
}

}  // namespace

FileSetContents readFileSet(const std::filesystem::path& dicomdir) {
  // DcmDicomDir starts an empty one where there is no file: a typo must not read as an empty medium.
  if (!isDicomdir(dicomdir)) throw FileSetReadError(dicomdir.string() + " is not a DICOMDIR");
  DcmDicomDir dir(dicomdir.c_str());
  if (dir.error().bad())
    throw FileSetReadError("cannot read the DICOMDIR " + dicomdir.string() + ": " + dir.error().text());
  FileSetContents out;
  collect(&dir.getRootRecord(), dicomdir.parent_path(), out);
  // A file referenced twice (an image and its icon record, say) is imported once.
  std::sort(out.files.begin(), out.files.end());
  out.files.erase(std::unique(out.files.begin(), out.files.end()), out.files.end());
  return out;
}

bool isDicomdir(const std::filesystem::path& file) {
  DcmFileFormat ff;
  if (ff.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, 4096, ERM_metaOnly).bad()) return false;
  OFString cls;
  return ff.getMetaInfo()->findAndGetOFString(DCM_MediaStorageSOPClassUID, cls).good() &&
         cls == UID_MediaStorageDirectoryStorage;
}

}  // namespace atrium::media
