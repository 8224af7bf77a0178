"""Durability, observed from outside: the server runs under strace, and for every instance stored
the system calls must come in this order before the C-STORE response is written to the socket:
fsync of the temp file, its rename into place, fsync of the folder, and the index commit's sync of
the SQLite WAL. Nothing in the code under test records this itself, so removing any of the syncs (or
answering before them) fails here."""
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import ATRIUM, check, cleanup, free_port, main, make_mr_files, run, skip, tempdir, wait_for_port  # noqa: E402

SYSCALLS = "fsync,fdatasync,rename,renameat,renameat2,write,writev,sendto,sendmsg"


def events(trace_path):
    """(kind, detail) in the order the calls completed (writes: in the order they started)."""
    out, pending = [], {}
    line_re = re.compile(r"^(\d+)\s+(.*)$")
    for raw in open(trace_path, errors="replace"):
        m = line_re.match(raw.rstrip("\n"))
        if not m:
            continue
        tid, rest = m.groups()
        if rest.startswith("<..."):  # "<... fsync resumed>) = 0": the call completes here
            call = pending.pop(tid, None)
            if call and "= -1" not in rest:
                out.append(call)
            continue
        call = re.match(r"(\w+)\((.*)", rest)
        if not call:
            continue
        name, args = call.groups()
        if name in ("fsync", "fdatasync"):
            ev = ("sync", re.match(r"\d+<([^>]*)>", args).group(1))
        elif name.startswith("rename"):
            paths = re.findall(r'"([^"]*)"', args)
            ev = ("rename", paths[-1])
        elif name in ("write", "writev", "sendto", "sendmsg") and "<TCP" in args:
            ev = ("tcp", re.match(r"\d+<(TCP6?:\[[^\]]*\])>", args).group(1))
            out.append(ev)  # a write counts from its start
            continue
        else:
            continue
        if rest.endswith("<unfinished ...>"):
            pending[tid] = ev
        elif "= -1" not in rest:
            out.append(ev)
    return out


def test_fsync_rename_fsync_commit_then_respond():
    work = tempdir("durability")
    proc = None
    try:
        data = os.path.join(work, "data")
        trace = os.path.join(work, "trace")
        port = free_port()
        log = open(os.path.join(work, "serve.log"), "wb")
        proc = subprocess.Popen(["strace", "-f", "-yy", "-qq", "-e", f"trace={SYSCALLS}", "-o", trace, ATRIUM, "serve",
                                 "--data", data, "--dicom-port", str(port), "--http-port", "0"],
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_port(port, proc, timeout=30)
        except AssertionError as e:
            if proc.poll() is not None and b"ptrace" in open(os.path.join(work, "serve.log"), "rb").read():
                skip("strace cannot trace here (ptrace not permitted)")
                return
            raise e
        files = make_mr_files(os.path.join(work, "in"), 3)
        run(["storescu", "-aec", "ATRIUM", "127.0.0.1", str(port), *files], timeout=60, check_rc=0)
        time.sleep(0.5)
        # Stop atrium itself (strace's child); strace then ends with it.
        child = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
        check(child, "atrium under strace not found")
        os.kill(int(child[0]), signal.SIGTERM)
        proc.wait(timeout=60)
        proc = None
        ev = events(trace)
        storage = os.path.join(data, "storage")
        renames = [i for i, (k, d) in enumerate(ev) if k == "rename" and d.startswith(storage) and d.endswith(".dcm")]
        check(len(renames) == 3, f"{len(renames)} renames into storage, want 3")
        assoc = f"127.0.0.1:{port}->"
        for n, i in enumerate(renames):
            final = ev[i][1]
            folder = os.path.dirname(final)
            before = ev[:i]
            last_part_sync = max((j for j, (k, d) in enumerate(before) if k == "sync" and d.startswith(folder + "/.")
                                  and d.endswith(".part")), default=None)
            check(last_part_sync is not None, f"instance {n}: no fsync of its temp file before the rename")
            response = next((j for j in range(i + 1, len(ev)) if ev[j][0] == "tcp" and assoc in ev[j][1]), None)
            check(response is not None, f"instance {n}: no response written")
            between = ev[i + 1:response]
            check(("sync", folder) in between, f"instance {n}: no fsync of {folder} between rename and response")
            dir_sync = i + 1 + between.index(("sync", folder))
            wal = os.path.join(data, "index.db-wal")
            check(any(k == "sync" and d == wal for k, d in ev[dir_sync + 1:response]),
                  f"instance {n}: the index commit's WAL sync does not come between the folder sync and the response")
    finally:
        if proc:
            proc.kill()
        cleanup(work)


if __name__ == "__main__":
    main([test_fsync_rename_fsync_commit_then_respond])
