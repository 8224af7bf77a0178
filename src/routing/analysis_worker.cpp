#include "routing/analysis_worker.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/fs.h"

// GCC says it builds with AddressSanitizer with __SANITIZE_ADDRESS__, clang with __has_feature.
#if defined(__SANITIZE_ADDRESS__)
#define ATRIUM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ATRIUM_ASAN 1
#endif
#endif
#ifdef ATRIUM_ASAN
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif

namespace atrium::routing {
namespace {

std::string readFile(const std::filesystem::path& p, std::size_t maxBytes) {
  std::ifstream in(p, std::ios::binary);
  std::string s(maxBytes, '\0');
  in.read(s.data(), static_cast<std::streamsize>(maxBytes));
  s.resize(static_cast<std::size_t>(in.gcount()));
  return s;
}

std::string lastLine(const std::string& text) {
  std::istringstream in(text);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

}  // namespace

std::string WorkerOutcome::describe() const {
  switch (kind) {
    case Kind::Exited: {
      std::string line = lastLine(stderrText);
      return "exit " + std::to_string(exitCode) + (line.empty() ? "" : ": " + line);
    }
    case Kind::Signalled: {
      const char* name = sigabbrev_np(signal);
      return std::string("killed by SIG") + (name ? name : std::to_string(signal).c_str()) +
             (signal == SIGKILL ? " (out of memory?)" : "");
    }
    case Kind::TimedOut:
      return "stopped after its time limit";
    case Kind::Stopped:
      return "stopped: the server is shutting down";
    case Kind::NotStarted:
      break;
  }
  return "could not start the analysis process";
}

std::filesystem::path currentExecutable() {
  static const std::filesystem::path exe = [] {
    std::error_code ec;
    auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::filesystem::path() : p;
  }();
  return exe;
}

WorkerOutcome runWorker(const std::filesystem::path& exe, const std::vector<std::string>& args,
                        const std::filesystem::path& workDir, const WorkerLimits& limits,
                        const std::atomic<bool>* stopping) {
  WorkerOutcome out;
  auto outFile = workDir / "worker.stdout", errFile = workDir / "worker.stderr";
  // Everything the child needs is prepared before fork: after it only async-signal-safe calls.
  std::vector<std::string> argvStore{exe.string()};
  argvStore.insert(argvStore.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argvStore) argv.push_back(a.data());
  argv.push_back(nullptr);
  int outFd = ::open(outFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int errFd = ::open(errFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int nullFd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (outFd < 0 || errFd < 0 || nullFd < 0) {
    for (int fd : {outFd, errFd, nullFd})
      if (fd >= 0) ::close(fd);
    return out;
  }
  rlimit mem{};
  mem.rlim_cur = mem.rlim_max = static_cast<rlim_t>(limits.memoryMb) * 1024 * 1024;
  // AddressSanitizer reserves terabytes of address space: an RLIMIT_AS would stop it at start.
  const bool limitMemory = !kAddressSanitizer && limits.memoryMb > 0;
  rlimit noCore{0, 0};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    ::setpriority(PRIO_PROCESS, 0, limits.niceness);
    if (limitMemory) ::setrlimit(RLIMIT_AS, &mem);
    ::setrlimit(RLIMIT_CORE, &noCore);
    ::dup2(nullFd, 0);
    ::dup2(outFd, 1);
    ::dup2(errFd, 2);
    ::close_range(3, ~0U, 0);  // the archive's sockets and files stay the archive's
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(outFd);
  ::close(errFd);
  ::close(nullFd);
  if (pid < 0) return out;

  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(limits.timeLimitSeconds);
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    bool late = std::chrono::steady_clock::now() >= deadline;
    bool stop = stopping && stopping->load();
    if (late || stop || r < 0) {
      ::kill(-pid, SIGKILL);  // the whole group: anything it started goes too
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      out.kind = stop ? WorkerOutcome::Kind::Stopped : WorkerOutcome::Kind::TimedOut;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (out.kind == WorkerOutcome::Kind::NotStarted) {
    if (WIFEXITED(status)) {
      out.kind = WorkerOutcome::Kind::Exited;
      out.exitCode = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
      out.kind = WorkerOutcome::Kind::Signalled;
      out.signal = WTERMSIG(status);
    }
  }
  out.stdoutText = readFile(outFile, 16 << 20);
  out.stderrText = readFile(errFile, 64 << 10);
  return out;
}

WorkerFolder::WorkerFolder(const std::filesystem::path& incoming, const std::string& prefix,
                           const std::vector<std::filesystem::path>& inputs) {
  dir_ = fs::uniqueTempPath(incoming, prefix);
  dir_.replace_extension("");  // a folder, not a temp file name
  std::filesystem::create_directories(out());
  std::ofstream list(inputList());
  for (const auto& f : inputs) list << f.string() << '\n';
}

WorkerFolder::~WorkerFolder() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace atrium::routing
