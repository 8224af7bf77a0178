"""Storage Commitment Push Model with exact expected reports:
  - `atrium send --commit` against atrium serve: the report on the same association;
  - `--commit-port`: the requester releases and Atrium reports on a new association to the
    requester's configured address (a requester it does not know gets no report, and says so);
  - asking about instances that are not stored: reported failed with 0x0112 (No such object);
  - Orthanc both ways: Atrium asks Orthanc (report on a new association), Orthanc asks Atrium
    through its REST API (report on a new association to Orthanc)."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import (ATRIUM, AtriumServer, Orthanc, check, cleanup, dataset_uid, free_port,  # noqa: E402
                            main, make_mr_files, run, tempdir)

MR = "1.2.840.10008.5.1.4.1.1.4"


def commit_lines(p):
    """{uid: 'committed' | 'not-committed 0xNNNN'} from atrium send --commit's stdout."""
    out = {}
    for line in p.stdout.decode().splitlines():
        parts = line.split()
        out[parts[1]] = parts[0] if parts[0] == "committed" else f"{parts[0]} {parts[2]}"
    return out


def test_commit_with_atrium_both_ways():
    tmp = tempdir("commit")
    try:
        files = make_mr_files(os.path.join(tmp, "a"), 5)
        unsent = make_mr_files(os.path.join(tmp, "b"), 2)
        uids = [dataset_uid(p) for p in files]
        listen = free_port()
        config = {"peers": [{"aet": "SCANNER", "host": "127.0.0.1", "port": listen}], "accept_unknown_aets": True}
        with AtriumServer(os.path.join(tmp, "data"), config=config) as srv:
            target = [f"127.0.0.1:{srv.port}", "--called", "ATRIUM"]
            # Same association: the requester waits there.
            p = run([ATRIUM, "send"] + target + ["--commit"] + files, check_rc=0)
            check(commit_lines(p) == {u: "committed" for u in uids}, f"same association: {p.stdout!r}")
            check("report sent to" in srv.log_text(), "no report logged")
            # Stored and unknown instances together: the unknown ones fail with No such object instance.
            p = run([ATRIUM, "send"] + target + ["--commit-only"] + files[:2] + unsent)
            want = {uids[0]: "committed", uids[1]: "committed"}
            want.update({dataset_uid(x): "not-committed 0x0112" for x in unsent})
            check(p.returncode == 1 and commit_lines(p) == want, f"partly stored: {p.returncode} {p.stdout!r}")
            # Committed means there and whole: a damaged file and a missing one are not committed.
            stored = srv.instances()
            damaged, missing = stored[uids[2]][0], stored[uids[3]][0]
            with open(damaged, "r+b") as f:
                f.seek(-5, 2)
                b = f.read(1)
                f.seek(-5, 2)
                f.write(bytes([b[0] ^ 1]))
            os.rename(missing, missing + ".away")
            p = run([ATRIUM, "send"] + target + ["--commit-only"] + files)
            want = {u: "committed" for u in uids}
            want.update({uids[2]: "not-committed 0x0110", uids[3]: "not-committed 0x0110"})
            check(p.returncode == 1 and commit_lines(p) == want, f"damaged and missing: {p.stdout!r}")
            with open(damaged, "r+b") as f:
                f.seek(-5, 2)
                f.write(b)
            os.rename(missing + ".away", missing)
            # The requester releases and listens: the report comes on a new association.
            p = run([ATRIUM, "send"] + target + ["--aet", "SCANNER", "--commit-only", "--commit-port", str(listen)]
                    + files, check_rc=0)
            check(commit_lines(p) == {u: "committed" for u in uids}, f"new association: {p.stdout!r}")
            check("on a new association" in srv.log_text(), "report not sent on a new association")
            # A requester Atrium cannot reach back: no report, a clear error, exit 1.
            start = time.time()
            p = run([ATRIUM, "send"] + target + ["--aet", "STRANGER", "--commit-only", "--commit-port",
                                                 str(free_port()), "--commit-timeout", "4"] + files[:1])
            err = p.stderr.decode()
            check(p.returncode == 1 and "no storage commitment report" in err, f"unknown requester: {err!r}")
            check(time.time() - start < 30, "waited far past --commit-timeout")
            check("STRANGER released before the report and is not a configured peer" in srv.log_text(),
                  "undeliverable report not logged")
            check(run([ATRIUM, "echo", f"127.0.0.1:{srv.port}", "--called", "ATRIUM"]).returncode == 0,
                  "server stopped answering")
    finally:
        cleanup(tmp)


def test_commit_with_orthanc_both_ways():
    tmp = tempdir("commit-orthanc")
    try:
        files = make_mr_files(os.path.join(tmp, "a"), 4)
        unsent = make_mr_files(os.path.join(tmp, "b"), 1)
        uids = [dataset_uid(p) for p in files]
        listen = free_port()
        atrium_port = free_port()
        with Orthanc(tmp, {"scanner": ["SCANNER", "127.0.0.1", listen],
                           "atrium": ["ATRIUM", "127.0.0.1", atrium_port]}) as orthanc:
            # Atrium asks Orthanc: Orthanc reports on a new association to our listening port.
            target = [f"127.0.0.1:{orthanc.port}", "--called", "ORTHANC", "--aet", "SCANNER",
                      "--commit-port", str(listen), "--commit-timeout", "60"]
            p = run([ATRIUM, "send"] + target + ["--commit"] + files, check_rc=0)
            check(commit_lines(p) == {u: "committed" for u in uids}, f"Orthanc SCP: {p.stdout!r} {p.stderr!r}")
            p = run([ATRIUM, "send"] + target + ["--commit-only"] + unsent)
            check(p.returncode == 1 and list(commit_lines(p).values()) == ["not-committed 0x0112"],
                  f"Orthanc SCP, unknown instance: {p.stdout!r} {p.stderr!r}")

            # Orthanc asks Atrium (its REST API), Atrium reports to Orthanc on a new association.
            config = {"peers": [{"aet": "ORTHANC", "host": "127.0.0.1", "port": orthanc.port}], "accept_unknown_aets": True}
            srv = AtriumServer(os.path.join(tmp, "data"), config=config)
            srv.port = atrium_port
            with srv:
                run([ATRIUM, "send", f"127.0.0.1:{srv.port}", "--called", "ATRIUM"] + files[:3], check_rc=0)
                refs = [[MR, u] for u in uids]  # the fourth was never sent to Atrium
                job = orthanc.rest("POST", "/modalities/atrium/storage-commitment",
                                   {"DicomInstances": refs, "Timeout": 60})
                path = job["Path"]
                deadline = time.time() + 60
                report = orthanc.rest("GET", path)
                while report.get("Status") == "Pending" and time.time() < deadline:
                    time.sleep(0.3)
                    report = orthanc.rest("GET", path)
                ok = {x["SOPInstanceUID"] for x in report.get("Success", [])}
                bad = {x["SOPInstanceUID"]: x.get("FailureReason") for x in report.get("Failures", [])}
                check(report.get("Status") == "Failure" and ok == set(uids[:3]) and set(bad) == {uids[3]},
                      f"Orthanc SCU: {report}")
                check(bad[uids[3]] in (0x0112, "0x0112", 274), f"failure reason {bad[uids[3]]!r}")
    finally:
        cleanup(tmp)


if __name__ == "__main__":
    main([test_commit_with_atrium_both_ways, test_commit_with_orthanc_both_ways])
