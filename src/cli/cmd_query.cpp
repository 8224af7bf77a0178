// atrium find | move | get: the Query/Retrieve SCU.
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/oflog/oflog.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <functional>
#include <map>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/peer_options.h"
#include "dicom/dcmtk_setup.h"
#include "dicom/keys.h"
#include "dicom/text.h"
#include "dimse/qr_scu.h"

namespace atrium::cli {
namespace {

struct QrCommand {
  dimse::PeerAddress peer;
  dimse::QrModel model = dimse::QrModel::StudyRoot;
  std::string level = "STUDY";
  std::vector<std::string> keys;
};

QrCommand parseCommon(const Args& args, const std::string& usage) {
  if (args.positionals().size() != 1) throw UsageError(usage);
  QrCommand c;
  c.peer = peerFromArgs(args, args.positionals()[0], 60);
  std::string root = args.get("root", "study");
  if (root == "patient")
    c.model = dimse::QrModel::PatientRoot;
  else if (root != "study")
    throw UsageError("--root must be study or patient");
  c.level = args.get("level", c.model == dimse::QrModel::PatientRoot ? "PATIENT" : "STUDY");
  for (auto& ch : c.level) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  c.keys = args.all("key");
  return c;
}

const std::map<std::string, std::vector<std::string>> kDefaultKeys = {
    {"PATIENT", {"PatientName", "PatientID", "PatientBirthDate", "PatientSex", "NumberOfPatientRelatedStudies"}},
    {"STUDY",
     {"PatientName", "PatientID", "StudyInstanceUID", "StudyDate", "StudyTime", "AccessionNumber", "StudyDescription",
      "ModalitiesInStudy", "NumberOfStudyRelatedInstances"}},
    {"SERIES",
     {"StudyInstanceUID", "SeriesInstanceUID", "Modality", "SeriesNumber", "SeriesDescription",
      "NumberOfSeriesRelatedInstances"}},
    {"IMAGE", {"StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "SOPClassUID", "InstanceNumber"}},
};

// Adds the default return keys of a level that the user did not name.
std::vector<std::string> withDefaults(const std::string& level, std::vector<std::string> keys) {
  auto it = kDefaultKeys.find(level);
  if (it == kDefaultKeys.end()) return keys;
  for (const auto& d : it->second) {
    bool named = false;
    for (const auto& k : keys) named = named || k.substr(0, k.find('=')) == d;
    if (!named) keys.push_back(d);
  }
  return keys;
}

std::string uidOf(DcmDataset& ds, const DcmTagKey& key) { return dicom::trim(dicom::getRaw(ds, key)); }

int reportFailure(const char* cmd, const dimse::QrResult& r) {
  std::fprintf(stderr, "atrium %s: peer answered status 0x%04x%s%s\n", cmd, r.status,
               r.errorComment.empty() ? "" : ": ", r.errorComment.c_str());
  return 1;
}

}  // namespace

int runFind(int argc, char** argv) {
  const std::string usage = "usage: " + shortUsage(commandSpec("find"));
  QrCommand cmd;
  bool json = false, recursive = false;
  try {
    Args args(argc, argv, 2, commandSpec("find"));
    cmd = parseCommon(args, usage);
    json = args.has("json");
    recursive = args.has("recursive");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium find: %s\n", e.what());
    return 2;
  }
  OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
  dicom::initializeDcmtk();

  std::size_t count = 0;
  bool first = true;
  if (json) std::printf("[");
  auto print = [&](DcmDataset& ds, int depth) {
    ++count;
    if (json) {
      std::printf("%s%s", first ? "" : ",", dicom::toDicomJson(ds).c_str());
      first = false;
    } else {
      std::printf("%*s%s\n", depth * 2, "", dicom::formatIdentifier(ds).c_str());
    }
  };

  // One level's query; with --recursive each match's children are asked for in turn.
  std::function<int(const std::string&, const std::vector<std::string>&, int)> query =
      [&](const std::string& level, const std::vector<std::string>& keys, int depth) -> int {
    std::unique_ptr<DcmDataset> id;
    try {
      id = dicom::buildIdentifier(level, withDefaults(level, keys));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "atrium find: %s\n", e.what());
      return 2;
    }
    std::vector<std::unique_ptr<DcmDataset>> matches;
    auto r = dimse::findScu(cmd.peer, cmd.model, *id, [&](DcmDataset& ds) {
      print(ds, depth);
      if (recursive) matches.push_back(std::make_unique<DcmDataset>(ds));
    });
    if (r.status != 0) return reportFailure("find", r);
    for (auto& m : matches) {
      int rc = 0;
      if (level == "PATIENT")
        rc = query("STUDY", {"PatientID=" + uidOf(*m, DCM_PatientID)}, depth + 1);
      else if (level == "STUDY")
        rc = query("SERIES", {"StudyInstanceUID=" + uidOf(*m, DCM_StudyInstanceUID)}, depth + 1);
      else if (level == "SERIES")
        rc = query("IMAGE",
                   {"StudyInstanceUID=" + uidOf(*m, DCM_StudyInstanceUID),
                    "SeriesInstanceUID=" + uidOf(*m, DCM_SeriesInstanceUID)},
                   depth + 1);
      if (rc != 0) return rc;
    }
    return 0;
  };
  try {
    int rc = query(cmd.level, cmd.keys, 0);
    if (json) std::printf("]\n");
    if (rc == 0) std::fprintf(stderr, "%zu matches\n", count);
    return rc;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium find: %s\n", e.what());
    return 3;
  }
}

namespace {
int runRetrieve(int argc, char** argv, bool isMove) {
  const char* cmdName = isMove ? "move" : "get";
  const std::string usage = "usage: " + shortUsage(commandSpec(cmdName));
  QrCommand cmd;
  std::string dest, out;
  std::unique_ptr<DcmDataset> id;
  try {
    Args args(argc, argv, 2, commandSpec(cmdName));
    cmd = parseCommon(args, usage);
    dest = args.get("dest");
    out = args.get("out");
    if (isMove && dest.empty()) throw UsageError("--dest AET is required");
    if (!isMove && out.empty()) throw UsageError("--out DIR is required");
    if (cmd.keys.empty()) throw UsageError("give the instances to retrieve with -k, e.g. -k StudyInstanceUID=1.2.3");
    id = dicom::buildIdentifier(cmd.level, cmd.keys);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium %s: %s\n", cmdName, e.what());
    return 2;
  }
  OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
  dicom::initializeDcmtk();
  bool tty = ::isatty(2);
  auto progress = [&](const dimse::RetrieveProgress& p) {
    std::fprintf(stderr,
                 tty ? "\r%s: %u completed, %u failed, %u warning, %u remaining   "
                     : "%s: %u completed, %u failed, %u warning, %u remaining\n",
                 cmdName, p.completed, p.failed, p.warning, p.remaining);
  };
  try {
    dimse::QrResult r;
    if (isMove) {
      r = dimse::moveScu(cmd.peer, cmd.model, dest, *id, progress);
    } else {
      std::filesystem::create_directories(out);
      r = dimse::getScu(cmd.peer, cmd.model, *id, out, progress);
    }
    if (tty) std::fputs("\n", stderr);
    if (!r.failedUids.empty()) std::fprintf(stderr, "failed: %s\n", r.failedUids.c_str());
    if (r.status != 0) return reportFailure(cmdName, r);
    if (!isMove) std::fprintf(stderr, "%zu instances written to %s\n", r.received, out.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium %s: %s\n", cmdName, e.what());
    return 3;
  }
}
}  // namespace

int runMove(int argc, char** argv) { return runRetrieve(argc, argv, true); }
int runGet(int argc, char** argv) { return runRetrieve(argc, argv, false); }

}  // namespace atrium::cli
