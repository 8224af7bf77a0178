"""The REST admin API of atrium serve (HTTP), with exact expected answers:
  - authentication: no credentials 401, wrong password 401, a viewer on an admin route 403, bearer
    tokens, a password hash from `atrium hash-password` in the config file; `--no-auth`; a server
    with authentication on and nobody configured refuses to start;
  - status counts; peers (add, echo, remove; config peers are read-only);
  - worklist over REST, seen by DCMTK findscu -W; jobs and push over REST with a storescp receiver;
  - deleting an instance, a series and a study: gone from C-FIND and from disk;
  - malformed JSON, bodies over the limit, unknown routes and UIDs: a 4xx with a JSON message, and
    the server keeps serving."""
import hashlib
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import (ATRIUM, AtriumServer, StoreScp, check, cleanup, findscu, main,  # noqa: E402
                            run, tempdir, write_instance)

ADMIN = ("admin", "s3cret-Admin")
VIEWER = ("reader", "viewer-pass")
TOKEN = "tok-0123456789abcdef"
P = "1.2.826.0.1.3680043.9.7777.61"


class Fixture:
    pass


_f = None


def fixture():
    global _f
    if _f:
        return _f
    f = Fixture()
    f.tmp = tempdir("rest")
    f.scp = StoreScp(os.path.join(f.tmp, "received")).__enter__()
    p = run([ATRIUM, "hash-password"], input=ADMIN[1].encode(), check_rc=0)
    admin_hash = p.stdout.decode().strip()
    check(admin_hash.startswith("pbkdf2-sha256$") and ADMIN[1] not in admin_hash, f"hash: {admin_hash}")
    config = {"peers": [{"aet": "STORESCP", "host": "127.0.0.1", "port": f.scp.port}], "accept_unknown_aets": True,
              "http_users": [{"name": ADMIN[0], "password_hash": admin_hash, "role": "admin"}],
              "http_tokens": [{"name": "ci", "sha256": hashlib.sha256(TOKEN.encode()).hexdigest(), "role": "viewer"}],
              "http_max_body_mb": 1,
              "retry": {"max_attempts": 3, "initial_delay_s": 1, "max_delay_s": 1}}
    f.srv = AtriumServer(os.path.join(f.tmp, "data"), config=config, http=True,
                         extra_args=["--user", f"{VIEWER[0]}:{VIEWER[1]}:viewer"]).start()
    # Two studies: S1 with two series (2 + 1 instances), S2 with one instance.
    d = os.path.join(f.tmp, "in")
    os.makedirs(d)
    f.files = {}
    for i, (study, series) in enumerate([(1, 1), (1, 1), (1, 2), (2, 1)]):
        uid = f"{P}.9.{i}"
        path = os.path.join(d, f"{i}.dcm")
        write_instance(path, uid, f"{P}.{study}", f"{P}.{study}.{series}", patient_id=f"PAT{study}")
        f.files[uid] = path
    run([ATRIUM, "send", f"127.0.0.1:{f.srv.port}", "--called", "ATRIUM"] + list(f.files.values()), check_rc=0)
    _f = f
    return f


def test_authentication():
    f = fixture()
    s = f.srv
    st, body, h = s.http("GET", "/api/status")
    check(st == 401 and "authentication required" in body["error"] and "Basic" in h.get("WWW-Authenticate", ""),
          f"no credentials: {st} {body}")
    st, body, _ = s.http("GET", "/api/status", auth=(ADMIN[0], "wrong"))
    check(st == 401, f"wrong password: {st}")
    st, body, _ = s.http("GET", "/api/status", auth="not-the-token")
    check(st == 401, f"wrong token: {st}")
    for who in (ADMIN, VIEWER, TOKEN):
        st, body, _ = s.http("GET", "/api/status", auth=who)
        check(st == 200 and body["instances"] == 4 and body["studies"] == 2 and body["series"] == 3
              and body["patients"] == 2 and body["aet"] == "ATRIUM", f"status as {who}: {st} {body}")
    for who in (VIEWER, TOKEN):
        st, body, _ = s.http("DELETE", f"/api/studies/{P}.2", auth=who)
        check(st == 403 and "may not" in body["error"], f"viewer deleting: {st} {body}")
        st, body, _ = s.http("POST", "/api/peers", {"aet": "X", "host": "h", "port": 1}, auth=who)
        check(st == 403, f"viewer adding a peer: {st}")
    check(len(s.instances()) == 4, "a refused request changed something")

    # Authentication on with nobody configured: refused at start, one line, exit 2.
    p = run([ATRIUM, "serve", "--data", os.path.join(f.tmp, "d2"), "--dicom-port", "1", "--http-port", "1"],
            timeout=30)
    err = p.stderr.decode()
    check(p.returncode == 2 and "--no-auth" in err and err.count("\n") == 1, f"no users: {p.returncode} {err!r}")
    # --no-auth: open for local use.
    with AtriumServer(os.path.join(f.tmp, "d3"), http=True, extra_args=["--no-auth"]) as open_srv:
        st, body, _ = open_srv.http("GET", "/api/status")
        check(st == 200 and body["instances"] == 0, f"--no-auth: {st} {body}")


def test_peers():
    s = fixture().srv
    st, body, _ = s.http("GET", "/api/peers", auth=VIEWER)
    check(st == 200 and body == [{"aet": "STORESCP", "host": "127.0.0.1", "port": fixture().scp.port,
                                  "source": "config"}], f"peers: {body}")
    st, body, _ = s.http("POST", "/api/peers", {"aet": "SELF", "host": "127.0.0.1", "port": s.port}, auth=ADMIN)
    check(st == 201 and body["source"] == "api", f"add: {st} {body}")
    st, body, _ = s.http("POST", "/api/peers/SELF/echo", auth=ADMIN)
    # Atrium answers only to its own AE title: SELF is refused, which the echo reports.
    check(st == 200 and body["ok"] is False and "Called AE Title Not Recognized" in body["error"], f"echo: {body}")
    st, body, _ = s.http("POST", "/api/peers/STORESCP/echo", auth=ADMIN)
    check(st == 200 and body["ok"] is True and body["status"] == 0, f"echo storescp: {body}")
    for bad, want in [({"aet": "", "host": "h", "port": 1}, 400), ({"aet": "A", "host": "h", "port": 70000}, 400),
                      ({"aet": "A"}, 400), ({"aet": "STORESCP", "host": "h", "port": 5}, 400)]:
        st, body, _ = s.http("POST", "/api/peers", bad, auth=ADMIN)
        check(st == want and "error" in body, f"bad peer {bad}: {st} {body}")
    st, body, _ = s.http("DELETE", "/api/peers/STORESCP", auth=ADMIN)
    check(st == 409 and "config file" in body["error"], f"remove config peer: {st} {body}")
    st, body, _ = s.http("DELETE", "/api/peers/SELF", auth=ADMIN)
    check(st == 200, f"remove: {st} {body}")
    st, body, _ = s.http("DELETE", "/api/peers/SELF", auth=ADMIN)
    check(st == 404, f"remove twice: {st} {body}")
    # A peer added over REST is kept across a restart.
    s.http("POST", "/api/peers", {"aet": "KEPT", "host": "127.0.0.1", "port": 104}, auth=ADMIN)
    s.stop()
    s.start()
    st, body, _ = s.http("GET", "/api/peers", auth=ADMIN)
    check(any(p["aet"] == "KEPT" for p in body), f"peer lost in a restart: {body}")


def test_worklist_over_rest():
    s = fixture().srv
    item = {"00100020": {"vr": "LO", "Value": ["WL1"]}, "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Rest^Api"}]},
            "00400100": {"vr": "SQ", "Value": [{"00080060": {"vr": "CS", "Value": ["MR"]},
                                                "00400001": {"vr": "AE", "Value": ["MR9"]},
                                                "00400002": {"vr": "DA", "Value": ["20991231"]},
                                                "00400009": {"vr": "SH", "Value": ["SPS-R"]}}]}}
    st, body, _ = s.http("POST", "/api/worklist", {"00100020": {"vr": "LO", "Value": ["X"]}}, auth=ADMIN)
    check(st == 400 and "(0040,0100)" in body["error"], f"bad item: {st} {body}")
    st, body, _ = s.http("POST", "/api/worklist", item, auth=VIEWER)
    check(st == 403, f"viewer adding: {st}")
    st, body, h = s.http("POST", "/api/worklist", item, auth=ADMIN)
    check(st == 201 and body["patient_id"] == "WL1", f"add: {st} {body}")
    wid = body["id"]
    check(h.get("Location") == f"/api/worklist/{wid}", f"Location: {h.get('Location')}")
    status, rsps = findscu(s.port, ["PatientID", "ScheduledProcedureStepSequence[0].ScheduledStationAETitle=MR9"],
                           root="-W")
    check(status == "Success" and [str(r.PatientID) for r in rsps] == ["WL1"], f"findscu -W: {status} {rsps}")
    st, body, _ = s.http("GET", "/api/worklist", auth=VIEWER)
    check(st == 200 and [e["id"] for e in body] == [wid] and body[0]["item"]["00100020"]["Value"] == ["WL1"],
          f"list: {body}")
    st, body, _ = s.http("DELETE", f"/api/worklist/{wid}", auth=ADMIN)
    check(st == 200, f"delete: {st}")
    st, body, _ = s.http("DELETE", f"/api/worklist/{wid}", auth=ADMIN)
    check(st == 404, f"delete twice: {st}")
    status, rsps = findscu(s.port, ["PatientID=WL1"], root="-W")
    check(status == "Success" and not rsps, "deleted item still answered")


def test_jobs_over_rest():
    f = fixture()
    s = f.srv
    st, body, _ = s.http("POST", "/api/push", {"study": f"{P}.1", "to": "STORESCP"}, auth=ADMIN)
    check(st == 201 and body["instances"] == 3 and body["state"] in ("pending", "running", "done"), f"push: {body}")
    jid = body["id"]
    deadline = time.time() + 30
    while time.time() < deadline:
        st, body, _ = s.http("GET", f"/api/jobs/{jid}", auth=VIEWER)
        if body["state"] == "done":
            break
        time.sleep(0.2)
    check(body["state"] == "done" and body["sent"] == 3, f"push job: {body}")
    st, body, _ = s.http("GET", "/api/jobs", auth=TOKEN)
    check(st == 200 and [j["id"] for j in body] == [jid], f"jobs: {body}")
    for path, want in [(f"/api/jobs/{jid}/retry", 409), ("/api/jobs/999/cancel", 404), ("/api/jobs/999", 404)]:
        st, body, _ = s.http("POST" if path.endswith(("retry", "cancel")) else "GET", path, auth=ADMIN)
        check(st == want and "error" in body, f"{path}: {st} {body}")
    for bad, want in [({"study": "1.2.3", "to": "STORESCP"}, 404), ({"study": f"{P}.1", "to": "NOBODY"}, 400),
                      ({"to": "STORESCP"}, 400)]:
        st, body, _ = s.http("POST", "/api/push", bad, auth=ADMIN)
        check(st == want and "error" in body, f"push {bad}: {st} {body}")


def test_deletions():
    f = fixture()
    s = f.srv

    def studies():
        status, rsps = findscu(s.port, ["QueryRetrieveLevel=IMAGE", "SOPInstanceUID", f"StudyInstanceUID={P}.1\\{P}.2"])
        return {str(r.SOPInstanceUID) for r in rsps}

    before = s.instances()
    check(studies() == set(f.files), "fixture")
    st, body, _ = s.http("DELETE", f"/api/instances/{P}.9.0", auth=ADMIN)
    check(st == 200 and body["instances"] == 1, f"delete instance: {st} {body}")
    st, body, _ = s.http("DELETE", f"/api/series/{P}.1.2", auth=ADMIN)
    check(st == 200 and body["instances"] == 1, f"delete series: {st} {body}")
    check(studies() == {f"{P}.9.1", f"{P}.9.3"}, f"after instance and series: {studies()}")
    st, body, _ = s.http("DELETE", f"/api/studies/{P}.1", auth=ADMIN)
    check(st == 200 and body["instances"] == 1, f"delete study: {st} {body}")
    check(studies() == {f"{P}.9.3"}, f"after study: {studies()}")
    for uid in (f"{P}.9.0", f"{P}.9.1", f"{P}.9.2"):
        check(not os.path.exists(before[uid][0]), f"file of {uid} still on disk")
    check(os.path.exists(before[f"{P}.9.3"][0]), "the other study's file went too")
    with s.db() as c:
        counts = c.execute("SELECT (SELECT count(*) FROM patients),(SELECT count(*) FROM studies),"
                           "(SELECT count(*) FROM series)").fetchone()
    check(counts == (1, 1, 1), f"empty patient/study/series rows left: {counts}")
    for path in (f"/api/studies/{P}.1", "/api/series/1.2.3", "/api/instances/9.9"):
        st, body, _ = s.http("DELETE", path, auth=ADMIN)
        check(st == 404 and "error" in body, f"{path}: {st} {body}")
    st, body, _ = s.http("DELETE", "/api/studies/not-a-uid", auth=ADMIN)
    check(st == 404 and "error" in body, f"not a UID: {st} {body}")


def test_bad_input_keeps_serving():
    s = fixture().srv
    st, body, _ = s.http("POST", "/api/peers", b"{not json", auth=ADMIN, headers={"Content-Type": "application/json"})
    check(st == 400 and "not valid JSON" in body["error"], f"malformed: {st} {body}")
    big = json.dumps({"00100020": {"vr": "LO", "Value": ["x" * (2 * 1024 * 1024)]}}).encode()
    st, body, _ = s.http("POST", "/api/worklist", big, auth=ADMIN, headers={"Content-Type": "application/json"})
    check(st == 413 and "too large" in body["error"], f"huge body: {st} {body}")
    st, body, _ = s.http("GET", "/api/nothing-here", auth=ADMIN)
    check(st == 404 and "error" in body, f"unknown route: {st} {body}")
    # Not UTF-8 in the path: once ended the process (the error's JSON could not be written; fuzz_http_request).
    st, body, _ = s.http("GET", "/%FF/%FE", auth=ADMIN)
    check(st == 404 and "\ufffd" in body["error"], f"path not UTF-8: {st} {body}")
    st, body, _ = s.http("GET", "/api/status", auth=VIEWER)
    check(st == 200, "server stopped serving")


if __name__ == "__main__":
    try:
        main([test_authentication, test_peers, test_worklist_over_rest, test_jobs_over_rest, test_deletions,
              test_bad_input_keeps_serving])
    finally:
        if _f:
            _f.srv.stop()
            _f.scp.__exit__(None, None, None)
            cleanup(_f.tmp)
