#pragma once
// PS3.15 Annex E de-identification of one Part 10 file: every attribute as Table E.1-1 and the
// chosen options say (annex_e_table.h), UIDs and the patient's ID replaced by keyed hashes
// (pseudonyms.h) so that references between instances still resolve and reruns with the same key
// agree, burned-in text blanked where the pixel regions say (Clean Pixel Data Option), and the
// result marked: Patient Identity Removed YES, the De-identification Method (Code Sequence),
// Longitudinal Temporal Information Modified.
#include <filesystem>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "deid/annex_e_table.h"
#include "deid/pixel_regions.h"
#include "deid/pseudonyms.h"

namespace atrium::deid {

struct Settings {
  std::set<Option> options;
  std::string key;  // the project key (pseudonyms.h)
  PixelRegions pixels;
  // Private creators whose blocks Retain Safe Private keeps (none known to be safe by default).
  std::vector<std::string> safePrivateCreators;
};

// The archive's key and regions: <dataDir>/deid.key (made on first use) and, when there is one,
// <dataDir>/deid-pixel-regions.json. std::runtime_error when either cannot be read.
void useArchiveKeyAndRegions(Settings& settings, const std::string& dataDir);
// Only the regions (a key given otherwise, e.g. --key-file).
void useArchiveRegions(Settings& settings, const std::string& dataDir);

// Why a file is not de-identified (it is then not written at all).
struct DeidError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct DeidResult {
  std::string sopUid, studyUid, seriesUid;  // the new ones
  bool pixelsCleaned = false;
};

class Deidentifier {
 public:
  explicit Deidentifier(Settings settings);

  // Reads `in` (any transfer syntax DCMTK or GDCM reads), writes the de-identified file to `out`.
  DeidResult file(const std::filesystem::path& in, const std::filesystem::path& out) const;

  const Settings& settings() const { return settings_; }

 private:
  Settings settings_;
  Pseudonyms pseudonyms_;
};

}  // namespace atrium::deid
