// atrium: one binary, several subcommands. What each accepts is in cli/command_spec.cpp.
#include <cstdio>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>

#include "cli/args.h"
#include "cli/command_spec.h"
#include "cli/commands.h"

int main(int argc, char** argv) {
  using namespace atrium::cli;
  static const std::map<std::string, int (*)(int, char**)> kRun = {{"serve", runServe},
                                                                   {"echo", runEcho},
                                                                   {"send", runSend},
                                                                   {"reindex", runReindex},
                                                                   {"find", runFind},
                                                                   {"move", runMove},
                                                                   {"get", runGet},
                                                                   {"worklist", runWorklist},
                                                                   {"jobs", runJobs},
                                                                   {"push", runPush},
                                                                   {"hash-password", runHashPassword},
                                                                   {"analyze", runAnalyze}, {"map", runMap}, {"flow", runFlow},
                                                                   {"backup", runBackup},
                                                                   {"restore", runRestore},
                                                                   {"verify", runVerify},
                                                                   {"export", runExport},
                                                                   {"import", runImport},
                                                                   {"modify", runModify},
                                                                   {"deidentify", runDeidentify}};
  if (argc < 2) {
    std::fputs(overviewText().c_str(), stderr);
    return 2;
  }
  std::string cmd = argv[1];
  bool help = false;
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    if (cmd != "help" || argc < 3) {
      std::fputs(overviewText().c_str(), stdout);
      return 0;
    }
    cmd = argv[2];  // atrium help send
    help = true;
  }
  if (cmd == "--version" || cmd == "version") {
    std::printf("%s\n", versionText().c_str());
    return 0;
  }
  auto run = kRun.find(cmd);
  if (run == kRun.end()) {
    std::fprintf(stderr, "atrium: unknown command '%s' (atrium --help lists them)\n", cmd.c_str());
    return 2;
  }
  if (help || wantsHelp(argc, argv, 2)) {
    std::fputs(helpText(commandSpec(cmd)).c_str(), stdout);
    return 0;
  }
  return run->second(argc, argv);
}
