// atrium deidentify IN... --to DIR --profile basic [--option NAME]... [--key-file F]: PS3.15 Annex E
// de-identified copies of DICOM files and folders.
#include <dcmtk/oflog/oflog.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "deid/deidentifier.h"
#include "dicom/dcmtk_setup.h"
#include "dicom/uid.h"
#include "media/file_set_reader.h"
#include "media/importer.h"

namespace atrium::cli {
namespace {

void collect(const std::filesystem::path& p, std::vector<std::filesystem::path>& out, std::vector<std::string>& bad) {
  std::error_code ec;
  if (std::filesystem::is_directory(p, ec)) {
    std::vector<std::filesystem::path> files;
    for (auto it = std::filesystem::recursive_directory_iterator(p, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
      if (it->is_regular_file(ec)) files.push_back(it->path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files)
      if (media::hasPart10Magic(f) && !media::isDicomdir(f)) out.push_back(f);
  } else if (std::filesystem::is_regular_file(p, ec)) {
    if (media::hasPart10Magic(p)) out.push_back(p);
    else bad.push_back(p.string() + ": not a DICOM Part 10 file");
  } else {
    bad.push_back(p.string() + ": no such file or folder");
  }
}

}  // namespace

int runDeidentify(int argc, char** argv) {
  deid::Settings settings;
  std::vector<std::string> inputs;
  std::filesystem::path to;
  bool json = false;
  try {
    Args args(argc, argv, 2, commandSpec("deidentify"));
    inputs = args.positionals();
    if (inputs.empty()) throw UsageError("give the files or folders to de-identify");
    if (!args.has("to")) throw UsageError("--to DIR is required (a new or empty folder)");
    to = args.get("to");
    if (args.get("profile", "basic") != "basic")
      throw UsageError("unknown --profile '" + args.get("profile") + "' (basic: PS3.15 E.1, with --option)");
    for (const auto& o : args.all("option")) {
      auto opt = deid::parseOption(o);
      if (!opt) throw UsageError("unknown --option '" + o + "'");
      settings.options.insert(*opt);
    }
    settings.key = args.has("key-file") ? deid::readKeyFile(args.get("key-file")) : deid::randomKey();
    if (args.has("pixel-regions")) settings.pixels = deid::PixelRegions::load(args.get("pixel-regions"));
    settings.safePrivateCreators = args.all("safe-private");
    json = args.has("json");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium deidentify: %s\n", e.what());
    return 2;
  }
  OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
  dicom::initializeDcmtk();
  std::error_code ec;
  if (std::filesystem::exists(to, ec) && !std::filesystem::is_empty(to, ec)) {
    std::fprintf(stderr, "atrium deidentify: %s is not empty: write into a new or empty folder\n", to.c_str());
    return 2;
  }
  std::filesystem::create_directories(to, ec);
  if (ec) {
    std::fprintf(stderr, "atrium deidentify: cannot create %s: %s\n", to.c_str(), ec.message().c_str());
    return 1;
  }
  std::vector<std::filesystem::path> files;
  std::vector<std::string> failures;
  for (const auto& i : inputs) collect(i, files, failures);
  deid::Deidentifier deidentifier(std::move(settings));
  std::size_t written = 0, cleaned = 0, n = 0;
  for (const auto& f : files) {
    char name[32];
    std::snprintf(name, sizeof name, "DE%06zu.dcm", ++n);
    auto out = to / name;
    try {
      auto r = deidentifier.file(f, out);
      // Named by the new SOP Instance UID where it is a valid one (it is ours unless UIDs are retained).
      if (dicom::isValidUid(r.sopUid) && !std::filesystem::exists(to / (r.sopUid + ".dcm")))
        std::filesystem::rename(out, to / (r.sopUid + ".dcm"), ec);
      ++written;
      cleaned += r.pixelsCleaned;
    } catch (const std::exception& e) {
      std::filesystem::remove(out, ec);
      failures.push_back(f.string() + ": " + e.what());
    }
  }
  for (const auto& f : failures) std::fprintf(stderr, "atrium deidentify: not written: %s\n", f.c_str());
  if (json)
    std::printf("%s\n", nlohmann::json{{"written", written}, {"pixels_cleaned", cleaned}, {"failed", failures.size()},
                                       {"failures", failures}}
                            .dump(1)
                            .c_str());
  std::fprintf(stderr, "atrium deidentify: %zu files written to %s (%zu with burned-in text blanked), %zu refused\n",
               written, to.c_str(), cleaned, failures.size());
  return failures.empty() ? 0 : 1;
}

}  // namespace atrium::cli
