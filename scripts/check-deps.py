#!/usr/bin/python3
"""Lists what the tests, benchmarks and tools import and run, finds the Debian package that provides
each (dpkg -S), and checks scripts/install-deps.sh installs it: a module installed by hand on one
machine must not be what makes `make test` pass there. Exit 1, one line per missing package.

  /usr/bin/python3 scripts/check-deps.py [--verbose]

Python modules come from `import` statements; programs from string constants that name a program on
PATH (storescu, dciodvfy, chromium, ...). Packages Debian marks Essential or required are always there
and are not listed. What only tools/cardiac/train.py needs (torch) must be in the --training list."""
import ast
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
# Where the Python that `make test` runs lives; a tool run with --training may use more.
TEST_DIRS = ["tests", "bench"]
TRAINING_DIRS = ["tools"]


def python_files(folder):
    for base, _, files in os.walk(os.path.join(ROOT, folder)):
        if "node_modules" in base:
            continue
        for f in files:
            path = os.path.join(base, f)
            if f.endswith(".py"):
                yield path
            elif "." not in f:
                with open(path, "rb") as fh:
                    if fh.readline().startswith(b"#!") and b"python" in fh.readline(0) + open(path, "rb").readline():
                        yield path


def optional_imports(tree):
    """Imports inside `try: ... except ImportError` (the test says "skipped" without them)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(
                isinstance(h.type, ast.Name) and h.type.id in ("ImportError", "ModuleNotFoundError") for h in node.handlers):
            for inner in node.body:
                for n in ast.walk(inner):
                    if isinstance(n, (ast.Import, ast.ImportFrom)):
                        out.add(id(n))
    return out


RUNNERS = {"which", "run", "Popen", "check_output", "check_call", "call", "execvp"}


def program_name(node):
    """The program a call like run(["storescu", ...]) or shutil.which("dciodvfy") names, if any."""
    if not (isinstance(node, ast.Call) and node.args and
            getattr(node.func, "attr", getattr(node.func, "id", "")) in RUNNERS):
        return None
    first = node.args[0]
    if isinstance(first, (ast.List, ast.Tuple)) and first.elts:
        first = first.elts[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str) and re.fullmatch(r"[/a-zA-Z0-9_.+-]{2,60}",
                                                                                          first.value):
        return first.value
    return None


def uses(paths, local):
    modules, programs = set(), set()
    for path in paths:
        tree = ast.parse(open(path, encoding="utf-8").read(), path)
        optional = optional_imports(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import) and id(node) not in optional:
                modules.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and id(node) not in optional:
                modules.add(node.module.split(".")[0])
            name = program_name(node)
            found = shutil.which(name) if name else None
            if found and os.path.realpath(found).startswith(("/usr/", "/bin/", "/sbin/")):
                programs.add(found)
    modules -= set(sys.stdlib_module_names) | local
    return modules, programs


def package_of(path):
    for candidate in (path, os.path.realpath(path), "/bin/" + os.path.basename(path)):
        p = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        owners = [l for l in p.stdout.splitlines() if not l.startswith("diversion by")]
        if p.returncode == 0 and owners:
            return owners[0].split(":")[0].split(",")[0].strip()
    return None


def always_there(pkg, listed):
    """Essential or required packages, and direct dependencies of a listed one (python3-minimal)."""
    p = subprocess.run(["dpkg-query", "-W", "-f=${Essential} ${Priority}", pkg], capture_output=True, text=True)
    if p.stdout.startswith("yes") or p.stdout.endswith("required"):
        return True
    for other in listed:
        d = subprocess.run(["dpkg-query", "-W", "-f=${Pre-Depends}, ${Depends}", other], capture_output=True, text=True).stdout
        if re.search(r"(^|[ ,|])" + re.escape(pkg) + r"([ ,(:]|$)", d):
            return True
    return False


def listed_packages():
    text = open(os.path.join(ROOT, "scripts", "install-deps.sh")).read()
    body = re.search(r"PACKAGES=\((.*?)\n\)", text, re.S).group(1)
    main = {w for line in body.splitlines() for w in line.split("#")[0].split()}
    extra = {}
    for line in text.splitlines():  # PACKAGES+=(...) lines: --training's, and the viewer's Node.js
        m = re.search(r"PACKAGES\+=\(([^)]*)\)", line)
        if m:
            extra.setdefault("training" if "--training" in line else "main", set()).update(m.group(1).split())
    return main | extra.get("main", set()), extra.get("training", set())


def module_file(name):
    import importlib.util
    spec = importlib.util.find_spec(name)
    if spec is None:
        return None
    return spec.origin if spec.origin not in (None, "namespace") else list(spec.submodule_search_locations)[0]


def main():
    verbose = "--verbose" in sys.argv
    local = {os.path.splitext(f)[0] for d in TEST_DIRS + TRAINING_DIRS for b, _, fs in os.walk(os.path.join(ROOT, d))
             for f in fs}
    main_pkgs, training_pkgs = listed_packages()
    problems = []
    for dirs, allowed, what in ((TEST_DIRS, main_pkgs, "make test"), (TRAINING_DIRS, main_pkgs | training_pkgs,
                                                                        "the training tool")):
        modules, programs = uses([p for d in dirs for p in python_files(d)], local)
        for name in sorted(modules):
            path = module_file(name)
            pkg = package_of(path) if path else None
            if verbose:
                print(f"{what}: python module {name}: {pkg or 'not installed'}")
            if path is None and what == "the training tool" and f"python3-{name}" in training_pkgs:
                continue  # not installed here, but `install-deps.sh --training` installs it
            if pkg is None:
                problems.append(f"python module {name} ({what}) is {'not from a Debian package: ' + path if path else 'not installed'}")
            elif pkg not in allowed and not always_there(pkg, allowed):
                problems.append(f"python module {name} ({what}) comes from {pkg}, which install-deps.sh does not install")
        for prog in sorted(programs):
            pkg = package_of(prog)
            if verbose:
                print(f"{what}: program {prog}: {pkg}")
            if pkg is None:
                problems.append(f"program {prog} ({what}) is not from a Debian package")
            elif pkg not in allowed and not always_there(pkg, allowed):
                problems.append(f"program {prog} ({what}) comes from {pkg}, which install-deps.sh does not install")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
