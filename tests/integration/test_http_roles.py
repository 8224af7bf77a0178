"""The role matrix: every HTTP route the server registered (GET /api/routes), walked with no
credentials, as a viewer and as an admin. The policy is written here, not read from the server:
reading (GET) needs a viewer, anything that changes something needs an admin, only /healthz is open;
the audit trail (who looked at which patient) is read by admins only; saving and signing cardiac
analyses needs an editor (whom admins include), who may do nothing else an admin may.
Each route's declared role must follow it, and the server must behave so: 401 without credentials,
403 for a viewer on an admin or editor route and for an editor on an admin route, never 401/403 for a
role that may."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import AtriumServer, check, cleanup, main, tempdir  # noqa: E402

ADMIN = ("adm", "pw-adm")
VIEWER = ("view", "pw-view")
EDITOR = ("edit", "pw-edit")
USERS = ["--user", f"{ADMIN[0]}:{ADMIN[1]}:admin", "--user", f"{VIEWER[0]}:{VIEWER[1]}:viewer",
         "--user", f"{EDITOR[0]}:{EDITOR[1]}:editor"]
PUBLIC = {("GET", "/healthz")}
ADMIN_READS = {("GET", "/api/audit")}
EDITOR_CHANGES = {("PUT", r"/api/analyses/([0-9]{1,18})"), ("POST", r"/api/analyses/([0-9]{1,18})/sign"),
                  ("POST", r"/api/analyses/([0-9]{1,18})/preview")}


def expected_role(method, pattern):
    if (method, pattern) in PUBLIC:
        return "none"
    if (method, pattern) in ADMIN_READS:
        return "admin"
    if (method, pattern) in EDITOR_CHANGES:
        return "editor"
    return "viewer" if method == "GET" else "admin"


def concrete(pattern):
    """A path the pattern matches: each (group) replaced by a value of its kind."""
    def sample(m):
        g = m.group(0)
        if "A-Fa-f" in g:
            return "00000000"
        if "0-9," in g:
            return "1"
        if "0-9." in g or "[^/]" in g:
            return "1.2.3"
        if "0-9" in g:
            return "1"
        raise AssertionError(f"no sample for {g} in {pattern}")
    path = re.sub(r"\([^()]*\)", sample, pattern)
    check(re.fullmatch(pattern, path), f"{path} does not match {pattern}")
    return path


def test_every_route_follows_the_role_policy():
    work = tempdir("roles")
    try:
        with AtriumServer(os.path.join(work, "data"), http=True, extra_args=USERS) as srv:
            st, routes, _ = srv.http("GET", "/api/routes", auth=ADMIN)
            check(st == 200 and len(routes) >= 40, f"{st} {len(routes or [])} routes")
            seen = {(r["method"], r["pattern"]) for r in routes}
            for must in [("POST", "/dicom-web/studies"), ("GET", "/metrics"), ("DELETE", r"/api/studies/([0-9.]+)"),
                         ("GET", "/wado"), ("GET", "/healthz")]:
                check(must in seen, f"{must} not listed")
            wrong = [(r["method"], r["pattern"], r["role"]) for r in routes
                     if r["role"] != expected_role(r["method"], r["pattern"])]
            check(not wrong, f"routes whose declared role breaks the policy: {wrong}")
            for r in routes:
                method, path, role = r["method"], concrete(r["pattern"]), r["role"]
                body = b"" if method == "POST" else None
                anonymous = srv.http(method, path, body=body)[0]
                viewer = srv.http(method, path, body=body, auth=VIEWER)[0]
                editor = srv.http(method, path, body=body, auth=EDITOR)[0]
                admin = srv.http(method, path, body=body, auth=ADMIN)[0]
                where = f"{method} {path}"
                if role == "none":
                    check(anonymous not in (401, 403), f"{where}: {anonymous} without credentials")
                else:
                    check(anonymous == 401, f"{where}: {anonymous} without credentials, want 401")
                if role in ("admin", "editor"):
                    check(viewer == 403, f"{where}: a viewer got {viewer}, want 403")
                else:
                    check(viewer not in (401, 403), f"{where}: a viewer got {viewer}")
                if role == "admin":
                    check(editor == 403, f"{where}: an editor got {editor}, want 403")
                else:
                    check(editor not in (401, 403), f"{where}: an editor got {editor}")
                check(admin not in (401, 403), f"{where}: an admin got {admin}")
                wrong_password = srv.http(method, path, body=body, auth=(ADMIN[0], "nope"))[0]
                check(role == "none" or wrong_password == 401, f"{where}: a wrong password got {wrong_password}")
    finally:
        cleanup(work)


def test_failed_logins_are_slowed_down():
    """Five wrong passwords from one address: that address is answered 429 (with Retry-After) for a
    while, even with the right password; another address is not affected."""
    import base64
    import http.client
    work = tempdir("throttle")
    try:
        with AtriumServer(os.path.join(work, "data"), http=True, extra_args=USERS) as srv:
            def get(auth, source="127.0.0.1"):
                c = http.client.HTTPConnection("127.0.0.1", srv.http_port, timeout=30, source_address=(source, 0))
                token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
                c.request("GET", "/api/status", headers={"Authorization": "Basic " + token})
                r = c.getresponse()
                out = (r.status, r.getheader("Retry-After"), r.read())
                c.close()
                return out
            check(get(VIEWER)[0] == 200, "a right password first")
            for i in range(5):
                check(get((VIEWER[0], f"wrong{i}"))[0] == 401, f"wrong password {i}")
            status, retry, body = get(VIEWER)
            check(status == 429 and retry and 0 < int(retry) <= 60 and b"too many failed logins" in body,
                  f"after five failures: {status} {retry} {body!r}")
            check(get(VIEWER, source="127.0.0.2")[0] == 200, "another address still logs in")
            check(srv.http("GET", "/healthz")[0] == 200, "the open route stays open")
            check("failed logins from 127.0.0.1" in srv.log_text(), "the lockout is logged")
    finally:
        cleanup(work)


if __name__ == "__main__":
    main([test_every_route_follows_the_role_policy, test_failed_logins_are_slowed_down])
