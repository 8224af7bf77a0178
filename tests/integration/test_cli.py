"""The command line: every subcommand answers --help with its own usage and options, an unknown option
names the subcommand's usage on one line (exit 2), --version names the version, the commit and DCMTK's
version, and every option a command reads in its source is one that its --help lists (the parser and
the help come from one table, src/cli/command_spec.cpp; this catches an option read but never declared)."""
import glob
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import ATRIUM, check, main  # noqa: E402

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "cli")


def atrium(*args, stdin=None):
    return subprocess.run([ATRIUM, *args], capture_output=True, text=True, timeout=60, input=stdin)


def commands():
    p = atrium("--help")
    check(p.returncode == 0 and p.stdout.startswith("usage: atrium <command>"), p.stdout + p.stderr)
    body = p.stdout.split("commands:\n", 1)[1].split("\n\n", 1)[0]
    names = [line.split()[0] for line in body.splitlines() if line.strip()]
    check(len(names) >= 12, names)
    return names


def help_options(name):
    p = atrium(name, "--help")
    check(p.returncode == 0, f"{name} --help: exit {p.returncode} {p.stderr}")
    check(p.stdout.startswith(f"usage: atrium {name}"), p.stdout)
    check(p.stderr == "", f"{name} --help wrote to stderr: {p.stderr}")
    return set(re.findall(r"^  --([a-z0-9-]+)", p.stdout, re.M)) - {"help"}


def test_every_command_has_its_own_help():
    for name in commands():
        opts = help_options(name)
        check(name == "hash-password" or opts, f"{name} lists no options")
        # -h and `atrium help NAME` say the same
        check(atrium(name, "-h").stdout == atrium("help", name).stdout == atrium(name, "--help").stdout, name)
    check("--dest AET" in atrium("move", "--help").stdout, "move's help names --dest")
    check("--segmenter learned|classic" in atrium("analyze", "--help").stdout, "analyze's help names --segmenter")


def test_unknown_options_name_the_usage():
    for name in commands():
        p = atrium(name, "--no-such-option", "x", stdin="")
        lines = p.stderr.strip().splitlines()
        check(p.returncode == 2, f"{name}: exit {p.returncode}")
        check(f"atrium {name}" in lines[0], f"{name}: {p.stderr}")
        if name not in ("hash-password", "worklist", "jobs"):  # those print their usage block after the line
            check(len(lines) == 1 and "unknown option --no-such-option" in lines[0]
                  and f"usage: atrium {name}" in lines[0], f"{name}: {p.stderr}")
    p = atrium("frobnicate")
    check(p.returncode == 2 and "unknown command 'frobnicate'" in p.stderr, p.stderr)
    p = atrium("send", "127.0.0.1:1", "x", "--jobs")
    check(p.returncode == 2 and "--jobs needs a value" in p.stderr, p.stderr)
    p = atrium("send", "127.0.0.1:1", "x", "--commit=yes")
    check(p.returncode == 2 and "--commit takes no value" in p.stderr, p.stderr)


def test_version():
    p = atrium("--version")
    check(p.returncode == 0 and re.fullmatch(r"atrium \d+\.\d+\.\d+( \(git [0-9a-zA-Z.\-]+\))?, DCMTK \d+\.\d+\.\d+\n",
                                             p.stdout), p.stdout)
    cmake = open(os.path.join(SRC, "..", "..", "CMakeLists.txt")).read()
    version = re.search(r"project\(atrium VERSION ([0-9.]+)", cmake).group(1)
    check(p.stdout.startswith(f"atrium {version}"), f"{p.stdout} vs CMake's {version}")
    # The commit it names is one of this repository's (HEAD when built from the tree as it is;
    # a build made before the last commit names the one before).
    m = re.search(r"\(git (?:.*-g)?([0-9a-f]{7,40})(?:-dirty)?\)", p.stdout)
    if subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, cwd=SRC).returncode == 0:
        check(m, f"{p.stdout} names no commit")
        known = subprocess.run(["git", "rev-parse", "--verify", "--quiet", m.group(1) + "^{commit}"],
                               capture_output=True, cwd=SRC)
        check(known.returncode == 0, f"{p.stdout} names {m.group(1)}, not a commit of this repository")


def test_options_read_in_code_are_declared():
    # Which command each source file parses, and the options it reads from Args.
    files = {"cmd_serve.cpp": ["serve"], "cmd_echo.cpp": ["echo"], "cmd_send.cpp": ["send"],
             "cmd_query.cpp": ["find", "move", "get"], "cmd_worklist.cpp": ["worklist"],
             "cmd_jobs.cpp": ["jobs", "push"], "cmd_reindex.cpp": ["reindex"], "cmd_analyze.cpp": ["analyze"],
             "cmd_maintenance.cpp": ["backup", "restore", "verify"], "cmd_media.cpp": ["export", "import"],
             "cmd_modify.cpp": ["modify"], "cmd_deidentify.cpp": ["deidentify"], "cmd_map.cpp": ["map"],
             "cmd_flow.cpp": ["flow"]}
    check(set(files) | {"cmd_hash_password.cpp"} == {os.path.basename(f) for f in glob.glob(os.path.join(SRC, "cmd_*.cpp"))},
          "every command file is covered")
    def reads(f):
        return set(re.findall(r'args\.(?:get|has|getInt|all)\("([a-z0-9-]+)"', open(os.path.join(SRC, f)).read()))
    # The clients' shared options (peer, AE titles, TLS) are read in one place for all of them.
    clients = {"cmd_echo.cpp", "cmd_send.cpp", "cmd_query.cpp", "cmd_worklist.cpp"}
    for f, names in files.items():
        read = reads(f) | (reads("peer_options.cpp") if f in clients else set())
        declared = set().union(*(help_options(n) for n in names))
        check(read and read <= declared, f"{f} reads options its --help does not list: {sorted(read - declared)}")


if __name__ == "__main__":
    main([test_every_command_has_its_own_help, test_unknown_options_name_the_usage, test_version,
          test_options_read_in_code_are_declared])
