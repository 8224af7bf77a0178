#pragma once
// One function per subcommand; each returns the process exit code.
// Exit codes: 0 success, 1 some work failed, 2 usage or configuration error, 3 peer unreachable.
namespace atrium::cli {

int runServe(int argc, char** argv);
int runEcho(int argc, char** argv);
int runSend(int argc, char** argv);
int runReindex(int argc, char** argv);
int runFind(int argc, char** argv);
int runMove(int argc, char** argv);
int runGet(int argc, char** argv);
int runWorklist(int argc, char** argv);
int runJobs(int argc, char** argv);
int runPush(int argc, char** argv);
int runHashPassword(int argc, char** argv);
int runAnalyze(int argc, char** argv);
int runMap(int argc, char** argv);
int runFlow(int argc, char** argv);
int runBackup(int argc, char** argv);
int runRestore(int argc, char** argv);
int runVerify(int argc, char** argv);
int runExport(int argc, char** argv);
int runImport(int argc, char** argv);
int runModify(int argc, char** argv);
int runDeidentify(int argc, char** argv);

}  // namespace atrium::cli
