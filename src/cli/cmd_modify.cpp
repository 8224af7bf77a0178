// atrium modify: correct stored data in a data folder (server stopped), as PATCH /api/studies,
// POST /api/patients/merge and POST /api/series/{uid}/move do on a running archive.
#include <dcmtk/oflog/oflog.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "archive/archive.h"
#include "archive/data_correction.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/data_folder.h"
#include "dicom/dcmtk_setup.h"

namespace atrium::cli {

int runModify(int argc, char** argv) {
  Config config;
  AttributeChanges changes;
  std::string study, mergeFrom, mergeInto, series, toStudy;
  bool json = false;
  try {
    Args args(argc, argv, 2, commandSpec("modify"));
    if (!args.positionals().empty()) throw UsageError("unexpected argument '" + args.positionals()[0] + "'");
    study = args.get("study");
    mergeFrom = args.get("merge-patient");
    mergeInto = args.get("into");
    series = args.get("series");
    toStudy = args.get("to-study");
    int modes = !study.empty() + !mergeFrom.empty() + !series.empty();
    if (modes != 1)
      throw UsageError("give one of --study UID --set KEY=VALUE..., --merge-patient ID --into ID, "
                       "--series UID --to-study UID|new");
    if (!study.empty()) {
      for (const auto& s : args.all("set")) {
        auto eq = s.find('=');
        if (eq == std::string::npos) throw UsageError("--set takes KEYWORD=VALUE, not '" + s + "'");
        changes.push_back(checkedChange(s.substr(0, eq), s.substr(eq + 1)));
      }
      if (changes.empty()) throw UsageError("--study needs at least one --set KEYWORD=VALUE");
    }
    if (!mergeFrom.empty() && mergeInto.empty()) throw UsageError("--merge-patient needs --into ID");
    if (!series.empty() && toStudy.empty()) throw UsageError("--series needs --to-study UID (or new)");
    indexFileOf(args);
    config = configOf(args);
    json = args.has("json");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium modify: %s\n", e.what());
    return 2;
  }
  OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
  dicom::initializeDcmtk();
  auto lock = lockStoppedArchive(
      config, "modify",
      "correct through it (PATCH /api/studies/UID, POST /api/patients/merge, POST /api/series/UID/move)");
  if (!lock) return 2;
  try {
    auto trail = auditTrailOf(config);
    audit::ScopedInstall auditing(trail);
    Archive archive(config);
    Actor who{localUser(), ""};
    DataCorrection correction(archive);
    std::vector<CorrectionResult> results;
    if (!study.empty())
      results.push_back(correction.modifyStudy(study, changes, who));
    else if (!mergeFrom.empty())
      results = correction.mergePatients(mergeFrom, mergeInto, who);
    else
      results.push_back(correction.moveSeries(series, toStudy == "new" ? "" : toStudy, who));
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : results) {
      out.push_back({{"modification", r.modification}, {"study", r.studyUid}, {"instances", r.instances}});
      if (!json)
        std::printf("modification %lld: study %s, %zu instances rewritten\n", static_cast<long long>(r.modification),
                    r.studyUid.c_str(), r.instances);
    }
    if (json) std::printf("%s\n", out.dump(1).c_str());
    return 0;
  } catch (const CorrectionError& e) {
    std::fprintf(stderr, "atrium modify: %s\n", e.what());
    return e.kind == CorrectionError::Kind::Invalid ? 2 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium modify: %s\n", e.what());
    return 1;
  }
}

}  // namespace atrium::cli
