// atrium: one binary, several subcommands.
#include <cstdio>
#include <cstring>
#include <string>

#include "cli/commands.h"

namespace {
const char* kUsage =
    "usage: atrium <command> [options]\n"
    "  serve    [--config FILE] [--data DIR] [--aet AET] [--dicom-port N] [--http-port N]\n"
    "           [--peer AET@HOST:PORT]... [--forward AET]... [--user NAME:PASSWORD:ROLE]... [--no-auth]\n"
    "           [--verbose]                                run the archive (DICOM and HTTP)\n"
    "  echo     HOST:PORT [--aet A] [--called B]           C-ECHO a DICOM peer\n"
    "  send     HOST:PORT PATH... [--aet A] [--called B] [--jobs N]\n"
    "                                                      C-STORE files and folders\n"
    "  reindex  --data DIR                                 rebuild the index from stored files\n"
    "  find     HOST:PORT [--root study|patient] [--level L] [-k KEY[=VALUE]]... [--json] [--recursive]\n"
    "  move     HOST:PORT --dest AET [--root ...] [--level L] -k KEY=VALUE...\n"
    "  get      HOST:PORT --out DIR [--root ...] [--level L] -k KEY=VALUE...\n"
    "           (find/move/get also take --aet A --called B --timeout S)\n"
    "  worklist add FILE.json | list | remove ID [--data DIR]   manage the modality worklist\n"
    "  worklist query HOST:PORT [--modality M] [--station AET] [-k KEY=VALUE]... [--json]\n"
    "  jobs     list [--json] | retry ID | cancel ID [--data DIR]    the send queue\n"
    "  push     --study UID --to AET [--data DIR | --config FILE]   queue a study for a peer\n"
    "  hash-password                                       read a password on stdin, print its hash\n"
    "  analyze  PATH... [--json]                           short-axis cine MR: LV/RV volumes, EF, LV mass\n";
}

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "help")) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  std::string cmd = argv[1];
  if (cmd == "serve") return atrium::cli::runServe(argc, argv);
  if (cmd == "echo") return atrium::cli::runEcho(argc, argv);
  if (cmd == "send") return atrium::cli::runSend(argc, argv);
  if (cmd == "reindex") return atrium::cli::runReindex(argc, argv);
  if (cmd == "find") return atrium::cli::runFind(argc, argv);
  if (cmd == "move") return atrium::cli::runMove(argc, argv);
  if (cmd == "get") return atrium::cli::runGet(argc, argv);
  if (cmd == "worklist") return atrium::cli::runWorklist(argc, argv);
  if (cmd == "jobs") return atrium::cli::runJobs(argc, argv);
  if (cmd == "push") return atrium::cli::runPush(argc, argv);
  if (cmd == "hash-password") return atrium::cli::runHashPassword(argc, argv);
  if (cmd == "analyze") return atrium::cli::runAnalyze(argc, argv);
  if (cmd == "--version" || cmd == "version") {
    std::puts("atrium 0.1.0");
    return 0;
  }
  std::fprintf(stderr, "atrium: unknown command '%s'\n%s", cmd.c_str(), kUsage);
  return 2;
}
