"""Running Atrium for years: /metrics counts exactly what happened, /healthz says when the node cannot
archive, backup while serving gives a consistent copy that restores and serves, verify names every
missing, changed and unindexed file."""
import os
import json
import re
import shutil
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import ATRIUM, AtriumServer, check, cleanup, main, make_mr_files, run, tempdir  # noqa: E402

ADMIN = ("adm", "pw-adm")
VIEWER = ("view", "pw-view")
USERS = ["--user", f"{ADMIN[0]}:{ADMIN[1]}:admin", "--user", f"{VIEWER[0]}:{VIEWER[1]}:viewer"]


def storescu(srv, *files):
    return run(["storescu", "-aec", srv.aet, "127.0.0.1", str(srv.port), *files], timeout=120)


def scrape(srv):
    st, body, headers = srv.http("GET", "/metrics", auth=VIEWER, raw=True)
    check(st == 200 and headers["Content-Type"].startswith("text/plain; version=0.0.4"), f"/metrics: {st} {headers}")
    values = {}
    for line in body.decode().splitlines():
        if line.startswith("#"):
            check(re.fullmatch(r"# (HELP|TYPE) atrium_[a-z_]+ .+", line), f"comment line: {line}")
            continue
        m = re.fullmatch(r'(atrium_[a-z_]+(?:\{[a-z_]+="[^"]*"(?:,[a-z_]+="[^"]*")*\})?) (-?[0-9.e+]+)', line)
        check(m, f"not a Prometheus sample: {line!r}")
        values[m.group(1)] = float(m.group(2))
    return values


def test_metrics_count_what_happened():
    work = tempdir("metrics")
    try:
        files = make_mr_files(os.path.join(work, "in"), 3)
        with AtriumServer(os.path.join(work, "data"), http=True, extra_args=USERS) as srv:
            before = scrape(srv)
            check(before.get('atrium_instances_total{outcome="stored"}', 0) == 0, "nothing stored yet")
            check(before['atrium_index_objects{level="instance"}'] == 0, "empty index")
            storescu(srv, *files)
            storescu(srv, files[0])  # a duplicate: kept first
            run(["findscu", "-S", "-aec", srv.aet, "127.0.0.1", str(srv.port), "-k", "QueryRetrieveLevel=STUDY",
                 "-k", "StudyInstanceUID"], timeout=60)
            check(srv.http("GET", "/api/status", auth=("nobody", "x"))[0] == 401, "a refused request")
            m = scrape(srv)
            stored = sum(v[1] for v in srv.instances().values())
            check(m['atrium_instances_total{outcome="stored"}'] == 3, m)
            check(m['atrium_instances_total{outcome="duplicate-kept-first"}'] == 1, m)
            check(m["atrium_stored_bytes_total"] == stored, f"bytes {m['atrium_stored_bytes_total']} != {stored}")
            check(m['atrium_dimse_associations_total{outcome="accepted"}'] == 3, m)
            check(m["atrium_dimse_associations_active"] == 0, m)
            check(m["atrium_dimse_find_seconds_count"] == 1 and m['atrium_dimse_find_seconds_bucket{le="+Inf"}'] == 1, m)
            check(m['atrium_http_requests_total{code="4xx"}'] == 1, m)
            check(m['atrium_http_requests_total{code="2xx"}'] >= 1 and m["atrium_http_request_seconds_count"] >= 2, m)
            check(m['atrium_index_objects{level="instance"}'] == 3 and m['atrium_index_objects{level="study"}'] == 1, m)
            check(m['atrium_jobs{state="pending"}'] == 0 and m["atrium_disk_free_bytes"] > 0, m)
            # Histogram buckets are cumulative: non-decreasing with le, +Inf equal to the count.
            le = {k.split('le="')[1].rstrip('"}'): v for k, v in m.items()
                  if k.startswith("atrium_http_request_seconds_bucket")}
            bounds = sorted((float(b), v) for b, v in le.items())
            check(len(bounds) == 13 and [v for _, v in bounds] == sorted(v for _, v in bounds), f"buckets {bounds}")
            check(le["+Inf"] == m["atrium_http_request_seconds_count"], "+Inf bucket = count")
            # /metrics needs a user when authentication is on; /healthz does not.
            check(srv.http("GET", "/metrics")[0] == 401, "/metrics without a user")
    finally:
        cleanup(work)


def test_healthz_says_when_storage_fails():
    work = tempdir("healthz")
    try:
        data = os.path.join(work, "data")
        with AtriumServer(data, http=True, extra_args=USERS) as srv:
            st, body, _ = srv.http("GET", "/healthz")
            check(st == 200 and body["status"] == "ok" and body["index"] == "ok" and body["disk"] == "ok", body)
            storage = os.path.join(data, "storage")
            os.rename(storage, storage + ".away")
            try:
                st, body, _ = srv.http("GET", "/healthz")
                check(st == 503 and body["status"] == "failing" and "storage" in body["disk"], f"{st} {body}")
            finally:
                os.rename(storage + ".away", storage)
            st, body, _ = srv.http("GET", "/healthz")
            check(st == 200 and body["status"] == "ok", body)
            check(not [f for f in os.listdir(storage) if f.startswith(".healthz")], "the probe file is removed")
    finally:
        cleanup(work)


def verify(data):
    p = subprocess.run([ATRIUM, "verify", "--data", data], capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout.splitlines(), p.stderr


def test_backup_while_storing_restores_and_serves():
    work = tempdir("backup")
    try:
        data = os.path.join(work, "data")
        first = make_mr_files(os.path.join(work, "a"), 20, prefix="1.2.826.0.1.3680043.9.7777.51")
        more = make_mr_files(os.path.join(work, "b"), 40, prefix="1.2.826.0.1.3680043.9.7777.52")
        with AtriumServer(data) as srv:
            storescu(srv, *first)
            sender = threading.Thread(target=lambda: [storescu(srv, f) for f in more])
            sender.start()
            p = run([ATRIUM, "backup", "--data", data, "--to", os.path.join(work, "bk")], timeout=300)
            sender.join()
            check(p.returncode == 0, p.stderr)
            total = len(srv.instances())
        check(total == 60, f"{total} stored")
        code, lines, err = verify(os.path.join(work, "bk"))
        check(code == 0 and not lines, f"the backup verifies: {lines} {err}")
        manifest = json.load(open(os.path.join(work, "bk", "atrium-backup.json")))
        check(20 <= manifest["instances"] <= 60 and manifest["vanished"] == [], manifest)
        # A non-empty target is refused, and so is restoring over an archive.
        p = run([ATRIUM, "backup", "--data", data, "--to", os.path.join(work, "bk")])
        check(p.returncode == 2 and b"not empty" in p.stderr and len(p.stderr.splitlines()) == 1, p.stderr)
        p = run([ATRIUM, "restore", "--from", os.path.join(work, "bk"), "--data", data])
        check(p.returncode == 2 and b"already holds an archive" in p.stderr, p.stderr)
        p = run([ATRIUM, "restore", "--from", os.path.join(work, "a"), "--data", os.path.join(work, "x")])
        check(p.returncode == 2 and b"not a finished Atrium backup" in p.stderr, p.stderr)

        restored = os.path.join(work, "restored")
        p = run([ATRIUM, "restore", "--from", os.path.join(work, "bk"), "--data", restored, "--copy"], timeout=300)
        check(p.returncode == 0 and f"{manifest['instances']} instances".encode() in p.stderr, p.stderr)
        with AtriumServer(restored) as srv:
            got = srv.instances()
            check(len(got) == manifest["instances"], f"{len(got)} served after restore")
            p = run([ATRIUM, "find", f"127.0.0.1:{srv.port}", "--called", srv.aet, "-k",
                     "NumberOfStudyRelatedInstances", "--json"], timeout=60, check_rc=0)
            counts = [s["00201208"]["Value"][0] for s in json.loads(p.stdout)]
            check(sum(counts) == manifest["instances"], f"C-FIND counts {counts}, backup {manifest['instances']}")
            storescu(srv, more[-1])  # the restored archive takes new instances
            check(len(srv.instances()) >= manifest["instances"], "still storing")
        code, lines, err = verify(restored)
        check(code == 0, f"restored archive verifies: {lines}")
    finally:
        cleanup(work)


def test_verify_names_every_problem():
    work = tempdir("verify")
    try:
        data = os.path.join(work, "data")
        with AtriumServer(data) as srv:
            storescu(srv, *make_mr_files(os.path.join(work, "in"), 4))
            inst = sorted(srv.instances().items())
        code, lines, err = verify(data)
        check(code == 0 and lines == [] and "4 files" in err, f"{code} {lines} {err}")
        storage = os.path.join(data, "storage")
        (uid_a, (path_a, *_)), (uid_b, (path_b, *_)) = inst[0], inst[1]
        with open(path_a, "r+b") as f:  # one flipped byte deep in the pixel data
            f.seek(-10, 2)
            b = f.read(1)
            f.seek(-10, 2)
            f.write(bytes([b[0] ^ 0xFF]))
        os.remove(path_b)
        shutil.copy(inst[2][1][0], os.path.join(storage, "stray.dcm"))
        code, lines, err = verify(data)
        rel = lambda p: os.path.relpath(p, storage)  # noqa: E731
        check(code == 1 and len(lines) == 3, f"{code} {lines}")
        check(any(l.startswith(f"changed: {rel(path_a)} instance {uid_a}") for l in lines), lines)
        check(any(l.startswith(f"missing: {rel(path_b)} instance {uid_b}") for l in lines), lines)
        check(any(l.startswith("unindexed: stray.dcm") for l in lines), lines)
        check("3 problems" in err, err)
        p = subprocess.run([ATRIUM, "verify", "--data", os.path.join(work, "nothing")], capture_output=True, text=True)
        check(p.returncode == 2 and "no Atrium index" in p.stderr, p.stderr)
    finally:
        cleanup(work)



def store_one(srv, path):
    """storescu's stderr for one file (it names a refusal's status)."""
    return run(["storescu", "-v", "-aec", srv.aet, "127.0.0.1", str(srv.port), path], timeout=60).stderr.decode()


def study_files(work, name, n, study_uid):
    return make_mr_files(os.path.join(work, name), n, study_uid=study_uid,
                         prefix="1.2.826.0.1.3680043.9.7777." + str(abs(hash(name)) % 1000))


def test_storage_limits():
    work = tempdir("limits")
    try:
        a = study_files(work, "a", 2, "1.2.826.0.1.3680043.9.7777.61.1")
        b = study_files(work, "b", 2, "1.2.826.0.1.3680043.9.7777.61.2")
        c = study_files(work, "c", 2, "1.2.826.0.1.3680043.9.7777.61.3")
        size = os.path.getsize(a[0])
        limit_gb = (4 * size + size // 2) / 2**30  # room for four of these files, not five
        # refuse: the fifth instance gets A700 and nothing stored before is touched
        with AtriumServer(os.path.join(work, "refuse"), config={"max_storage_gb": limit_gb}) as srv:
            storescu(srv, *a, *b)
            before = srv.instances()
            err = store_one(srv, c[0])
            check("Refused: OutOfResources" in err, f"no A700 (DCMTK: Refused: OutOfResources): {err[-500:]}")
            check(srv.instances() == before and len(before) == 4, "stored data untouched")
            check("storage limit reached" in srv.log_text(), "the log says why")
        # delete-oldest: the oldest unprotected study goes to make room; a protected one stays
        cfg = {"max_storage_gb": limit_gb, "storage_full_policy": "delete-oldest"}
        with AtriumServer(os.path.join(work, "rotate"), config=cfg, http=True, extra_args=USERS) as srv:
            storescu(srv, *a)
            storescu(srv, *b)
            st, body, _ = srv.http("POST", "/api/studies/1.2.826.0.1.3680043.9.7777.61.1/protect", auth=ADMIN)
            check(st == 200 and body["protected"] is True, f"{st} {body}")
            check(srv.http("POST", "/api/studies/1.2.826.0.1.3680043.9.7777.61.1/protect", auth=VIEWER)[0] == 403,
                  "a viewer may not protect")
            check(srv.http("POST", "/api/studies/1.2.3.4/protect", auth=ADMIN)[0] == 404, "unknown study")
            storescu(srv, *c)
            with srv.db() as db:
                studies = {r[0] for r in db.execute("SELECT study_uid FROM studies")}
            check(studies == {"1.2.826.0.1.3680043.9.7777.61.1", "1.2.826.0.1.3680043.9.7777.61.3"},
                  f"kept {studies}: the protected study and the new one")
            check(len(srv.instances()) == 4, "four instances")
            check(scrape(srv)["atrium_retention_deleted_studies_total"] == 1, "one study deleted")
            code, lines, _ = verify(srv.data_dir)
            check(code == 0, f"no file left behind: {lines}")
            # everything protected: nothing may go, so the next study is refused
            srv.http("POST", "/api/studies/1.2.826.0.1.3680043.9.7777.61.3/protect", auth=ADMIN)
            d = study_files(work, "d", 1, "1.2.826.0.1.3680043.9.7777.61.4")
            err = store_one(srv, d[0])
            check("Refused: OutOfResources" in err and len(srv.instances()) == 4,
                  f"refused when nothing may go: {err[-300:]}")
        bad = os.path.join(work, "bad.json")
        with open(bad, "w") as f:
            f.write('{"storage_full_policy": "shrug"}')
        p = run([ATRIUM, "serve", "--config", bad, "--data", os.path.join(work, "x")], timeout=10)
        check(p.returncode == 2 and b"storage_full_policy" in p.stderr, p.stderr)
    finally:
        cleanup(work)


def test_scheduled_verify_reports_in_log_and_metrics():
    work = tempdir("schedverify")
    try:
        files = make_mr_files(os.path.join(work, "in"), 2)
        with AtriumServer(os.path.join(work, "data"), config={"verify_interval_h": 1 / 3600}, http=True,
                          extra_args=USERS) as srv:
            storescu(srv, *files)
            path = sorted(srv.instances().values())[0][0]
            with open(path, "ab") as f:
                f.write(b"\0\0")
            import time
            deadline = time.time() + 20
            while time.time() < deadline and scrape(srv).get("atrium_verify_last_problems", 0) != 1:
                time.sleep(0.5)
            m = scrape(srv)
            check(m.get("atrium_verify_last_problems") == 1 and m["atrium_verify_last_checked_files"] == 2, m)
            check(m["atrium_verify_runs_total"] >= 1 and m["atrium_verify_last_run_timestamp_seconds"] > 1.7e9, m)
            check("verify: changed: " + os.path.relpath(path, os.path.join(srv.data_dir, "storage")) in srv.log_text(),
                  "the log names the file")
    finally:
        cleanup(work)


if __name__ == "__main__":
    main([test_metrics_count_what_happened, test_healthz_says_when_storage_fails,
          test_backup_while_storing_restores_and_serves, test_verify_names_every_problem, test_storage_limits,
          test_scheduled_verify_reports_in_log_and_metrics])
