// atrium worklist add | list | remove (on a data folder) and query (the Modality Worklist SCU).
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/oflog/oflog.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <ctime>
#include <fstream>
#include <sstream>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/data_folder.h"
#include "cli/peer_options.h"
#include "config/config.h"
#include "dicom/dcmtk_setup.h"
#include "dicom/keys.h"
#include "dicom/dicom_json.h"
#include "dimse/mpps.h"
#include "dimse/qr_scu.h"
#include "index/index_db.h"
#include "worklist/worklist_item.h"
#include "worklist/worklist_store.h"

namespace atrium::cli {
namespace {

int add(int argc, char** argv) {
  Args args(argc, argv, 3, commandSpec("worklist"));
  if (args.positionals().size() != 1) throw UsageError("worklist add takes one FILE.json");
  std::ifstream in(args.positionals()[0]);
  if (!in) {
    std::fprintf(stderr, "atrium worklist add: cannot read %s\n", args.positionals()[0].c_str());
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  worklist::WorklistItem item;
  try {
    item = worklist::parseWorklistItem(text.str());
  } catch (const worklist::WorklistError& e) {
    std::fprintf(stderr, "atrium worklist add: %s: %s\n", args.positionals()[0].c_str(), e.what());
    return 1;
  }
  index::IndexDatabase db(indexFileOf(args));
  std::int64_t id = worklist::addItem(db, item);
  std::printf("%lld\n", static_cast<long long>(id));
  std::fprintf(stderr, "worklist item %lld added (patient %s, %zu step%s)\n", static_cast<long long>(id),
               item.patientId.c_str(), item.steps.size(), item.steps.size() == 1 ? "" : "s");
  return 0;
}

int list(int argc, char** argv) {
  Args args(argc, argv, 3, commandSpec("worklist"));
  if (!args.positionals().empty()) throw UsageError("worklist list takes no argument");
  bool json = args.has("json");
  index::IndexDatabase db(indexFileOf(args));
  std::size_t n = 0;
  if (json) std::printf("[");
  worklist::listItems(db, [&](const worklist::ListedItem& i) {
    if (json) {
      std::printf("%s{\"id\":%lld,\"item\":%s}", n ? "," : "", static_cast<long long>(i.id), i.json.c_str());
    } else {
      std::printf("%lld\t%s %s\t%s\t%s\t%s\t%s\t%s%s\n", static_cast<long long>(i.id), i.startDate.c_str(),
                  i.startTime.c_str(), i.modality.c_str(), i.stationAet.c_str(), i.patientId.c_str(),
                  i.patientName.c_str(), i.accession.c_str(),
                  i.steps > 1 ? (" (+" + std::to_string(i.steps - 1) + " steps)").c_str() : "");
    }
    ++n;
  });
  if (json) std::printf("]\n");
  std::fprintf(stderr, "%zu items\n", n);
  return 0;
}

int remove(int argc, char** argv) {
  Args args(argc, argv, 3, commandSpec("worklist"));
  if (args.positionals().size() != 1) throw UsageError("worklist remove takes one ID");
  long long id = 0;
  try {
    std::size_t used = 0;
    id = std::stoll(args.positionals()[0], &used);
    if (used != args.positionals()[0].size()) throw std::invalid_argument("id");
  } catch (const std::exception&) {
    throw UsageError("worklist item ID must be a number, got '" + args.positionals()[0] + "'");
  }
  index::IndexDatabase db(indexFileOf(args));
  if (!worklist::removeItem(db, id)) {
    std::fprintf(stderr, "atrium worklist remove: no item %lld\n", id);
    return 1;
  }
  std::fprintf(stderr, "worklist item %lld removed\n", id);
  return 0;
}

// "YYYYMMDD" and "HHMMSS" of a local time.
std::pair<std::string, std::string> dateAndTime(std::time_t t) {
  std::string dt = worklist::localDateTime(t);
  return {dt.substr(0, 8), dt.substr(8)};
}

int query(int argc, char** argv) {
  Args args(argc, argv, 3, commandSpec("worklist"));
  if (args.positionals().size() != 1) throw UsageError("worklist query takes HOST:PORT");
  dimse::PeerAddress peer = peerFromArgs(args, args.positionals()[0], 30);

  // What a scanner asks: its own station, its modality, steps from 25 h ago to 24 h ahead.
  std::vector<std::string> keys = {"SpecificCharacterSet",
                                   "PatientName",
                                   "PatientID",
                                   "IssuerOfPatientID",
                                   "PatientBirthDate",
                                   "PatientSex",
                                   "AccessionNumber",
                                   "ReferringPhysicianName",
                                   "RequestingPhysician",
                                   "AdmissionID",
                                   "RequestedProcedureID",
                                   "RequestedProcedureDescription",
                                   "RequestedProcedurePriority",
                                   "StudyInstanceUID",
                                   "ScheduledStationName",
                                   "ScheduledProcedureStepEndDate",
                                   "ScheduledProcedureStepEndTime",
                                   "ScheduledPerformingPhysicianName",
                                   "ScheduledProcedureStepLocation",
                                   "ScheduledProcedureStepID",
                                   "ScheduledProcedureStepDescription"};
  keys.push_back("Modality=" + args.get("modality"));
  keys.push_back("ScheduledStationAETitle=" + (args.has("any-station") ? "" : args.get("station", peer.callingAet)));
  if (args.has("date")) {
    keys.push_back("ScheduledProcedureStepStartDate=" + args.get("date"));
    keys.push_back("ScheduledProcedureStepStartTime");
  } else if (args.has("any-date")) {
    keys.push_back("ScheduledProcedureStepStartDate");
    keys.push_back("ScheduledProcedureStepStartTime");
  } else {
    std::time_t now = std::time(nullptr);
    auto [d1, t1] = dateAndTime(now - 25 * 3600);
    auto [d2, t2] = dateAndTime(now + 24 * 3600);
    keys.push_back("ScheduledProcedureStepStartDate=" + d1 + "-" + d2);
    keys.push_back("ScheduledProcedureStepStartTime=" + t1 + "-" + t2);
  }
  // -k keys replace the defaults of the same name.
  for (const auto& k : args.all("key")) {
    std::string name = k.substr(0, k.find('='));
    std::erase_if(keys, [&](const std::string& d) { return d.substr(0, d.find('=')) == name; });
    keys.push_back(k);
  }
  std::erase_if(keys, [](const std::string& d) { return d == "SpecificCharacterSet"; });
  auto id = dicom::buildWorklistIdentifier(keys);
  bool json = args.has("json");

  OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
  dicom::initializeDcmtk();
  std::size_t n = 0;
  if (json) std::printf("[");
  dimse::QrResult r;
  try {
    r = dimse::findScu(peer, dimse::QrModel::Worklist, *id, [&](DcmDataset& ds) {
      if (json)
        std::printf("%s%s", n ? "," : "", dicom::toDicomJson(ds).c_str());
      else
        std::printf("%s\n", dicom::formatIdentifier(ds).c_str());
      ++n;
    });
  } catch (const std::exception& e) {
    if (json) std::printf("]\n");
    std::fprintf(stderr, "atrium worklist query: %s\n", e.what());
    return 3;
  }
  if (json) std::printf("]\n");
  if (r.status != 0) {
    std::fprintf(stderr, "atrium worklist query: peer answered status 0x%04x%s%s\n", r.status,
                 r.errorComment.empty() ? "" : ": ", r.errorComment.c_str());
    return 1;
  }
  std::fprintf(stderr, "%zu items\n", n);
  return 0;
}

// mpps-create HOST:PORT FILE.json [--uid UID] / mpps-set HOST:PORT UID FILE.json: a modality's
// performed procedure step, as a scanner reports it.
int mpps(int argc, char** argv, bool create) {
  const char* name = create ? "mpps-create" : "mpps-set";
  Args args(argc, argv, 3, commandSpec("worklist"));
  const auto& pos = args.positionals();
  if (pos.size() != (create ? 2u : 3u))
    throw UsageError(std::string("worklist ") + name + (create ? " takes HOST:PORT FILE.json" : " takes HOST:PORT UID FILE.json"));
  dimse::PeerAddress peer = peerFromArgs(args, pos[0], 30);
  const std::string file = pos.back();
  std::ifstream in(file);
  if (!in) throw UsageError("cannot read " + file);
  DcmDataset ds;
  try {
    std::stringstream text;
    text << in.rdbuf();
    dicom::fromDicomJson(nlohmann::json::parse(text.str()), ds);
  } catch (const std::exception& e) {
    throw UsageError(file + ": " + e.what());
  }
  ds.putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 192");
  OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
  std::string uid = create ? args.get("uid") : pos[1], error;
  std::uint16_t status = create ? dimse::createMpps(peer, uid, ds, error) : dimse::setMpps(peer, uid, ds, error);
  if (status != 0) {
    std::fprintf(stderr, "atrium worklist %s: peer answered status 0x%04x%s%s\n", name, status,
                 error.empty() ? "" : ": ", error.c_str());
    return 1;
  }
  std::printf("%s\n", uid.c_str());
  return 0;
}

}  // namespace

int runWorklist(int argc, char** argv) {
  std::string sub = argc > 2 ? argv[2] : "";
  try {
    if (sub == "add") return add(argc, argv);
    if (sub == "list") return list(argc, argv);
    if (sub == "remove") return remove(argc, argv);
    if (sub == "query") return query(argc, argv);
    if (sub == "mpps-create") return mpps(argc, argv, true);
    if (sub == "mpps-set") return mpps(argc, argv, false);
    std::fputs(usageText(commandSpec("worklist")).c_str(), stderr);
    return 2;
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "atrium worklist: %s\n", e.what());
    return 2;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "atrium worklist: %s\n%s", e.what(), usageText(commandSpec("worklist")).c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium worklist %s: %s\n", sub.c_str(), e.what());
    return 1;
  }
}

}  // namespace atrium::cli
