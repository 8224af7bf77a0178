#pragma once
// One analysis in a process of its own (`atrium analyze`), so that whatever it does — crash,
// abort, hang, run out of memory — ends in that process and is reported, never in the archive.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace atrium::routing {

struct WorkerLimits {
  int timeLimitSeconds = 600;    // wall clock; the process is killed after it
  std::int64_t memoryMb = 4096;  // address space (RLIMIT_AS); 0: no limit; not applied under ASan
  int niceness = 10;             // below the archive's own work
};

struct WorkerOutcome {
  enum class Kind { Exited, Signalled, TimedOut, Stopped, NotStarted } kind = Kind::NotStarted;
  int exitCode = -1;  // Exited
  int signal = 0;     // Signalled
  std::string stdoutText, stderrText;
  // One line for the log and the analyses table: "exit 1: <last stderr line>", "killed by SIGSEGV", ...
  std::string describe() const;
};

// A worker's folder in the incoming area (<incoming>/<prefix>NNN/): the list of its input files
// (inputs.txt: a study can hold more paths than a command line takes) and out/ for what it
// writes. Removed with everything in it when this goes.
class WorkerFolder {
 public:
  WorkerFolder(const std::filesystem::path& incoming, const std::string& prefix,
               const std::vector<std::filesystem::path>& inputs = {});
  ~WorkerFolder();
  WorkerFolder(const WorkerFolder&) = delete;
  WorkerFolder& operator=(const WorkerFolder&) = delete;
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path inputList() const { return dir_ / "inputs.txt"; }
  std::filesystem::path out() const { return dir_ / "out"; }

 private:
  std::filesystem::path dir_;
};

// The running executable (/proc/self/exe), resolved once at start.
std::filesystem::path currentExecutable();

// Runs exe with args (argv[1..]) in a child process: its own process group, niced, limited, stdout
// and stderr captured through files in workDir. Returns when it ends, when the time limit passes
// (killed: TimedOut) or when *stopping becomes true (killed: Stopped).
WorkerOutcome runWorker(const std::filesystem::path& exe, const std::vector<std::string>& args,
                        const std::filesystem::path& workDir, const WorkerLimits& limits,
                        const std::atomic<bool>* stopping = nullptr);

}  // namespace atrium::routing
