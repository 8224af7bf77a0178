"""Connections that never become associations must not keep real ones waiting (#15): 200 bare TCP
connections held open (health checks, a port scan) and 40 that send half an A-ASSOCIATE-RQ and stall
(slowloris), then a real C-ECHO and C-STORE. With ARTIM at 30 s, an archive that let those hold its
accepting threads or association slots would make the real ones wait 30 s or more; here they must
succeed well before that."""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import AtriumServer, check, cleanup, main, make_mr_files, run, tempdir  # noqa: E402


def test_idle_and_stalled_connections_do_not_block_associations():
    work = tempdir("flood")
    held = []
    try:
        files = make_mr_files(os.path.join(work, "in"), 1)
        with AtriumServer(os.path.join(work, "data"), config={"artim_timeout_s": 30, "max_associations": 4}) as srv:
            for _ in range(200):
                s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
                held.append(s)
            for _ in range(40):  # more than the 16 accepting threads the server starts with
                s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
                s.sendall(b"\x01\x00\x00\x00")  # the start of an A-ASSOCIATE-RQ header, then nothing
                held.append(s)
            time.sleep(0.5)
            start = time.time()
            p = run(["echoscu", "-to", "20", "-aec", srv.aet, "127.0.0.1", str(srv.port)], timeout=60)
            echo_s = time.time() - start
            check(p.returncode == 0, f"C-ECHO failed: {p.stderr.decode()[-500:]}")
            start = time.time()
            p = run(["storescu", "-to", "20", "-aec", srv.aet, "127.0.0.1", str(srv.port), files[0]], timeout=60)
            store_s = time.time() - start
            check(p.returncode == 0 and len(srv.instances()) == 1, f"C-STORE failed: {p.stderr.decode()[-500:]}")
            # Well under ARTIM (30 s): nothing waited for the idle or stalled connections.
            check(echo_s < 10 and store_s < 10, f"C-ECHO took {echo_s:.1f} s, C-STORE {store_s:.1f} s")
            check(srv.alive(), "the server survived")
            for s in held:  # before stopping: the stalled ones would hold its threads until ARTIM
                s.close()
    finally:
        for s in held:
            s.close()
        cleanup(work)



def test_idle_http_connections_do_not_block_requests():
    """The same for HTTP: 100 bare connections to the HTTP port held open, then a request is
    answered at once (its workers are not all waiting on silent sockets, its queue is not full)."""
    import http.client
    work = tempdir("flood-http")
    held = []
    try:
        with AtriumServer(os.path.join(work, "data"), http=True, extra_args=["--no-auth"]) as srv:
            for _ in range(100):
                held.append(socket.create_connection(("127.0.0.1", srv.http_port), timeout=5))
            time.sleep(0.5)
            start = time.time()
            c = http.client.HTTPConnection("127.0.0.1", srv.http_port, timeout=30)
            c.request("GET", "/healthz")
            status = c.getresponse().status
            took = time.time() - start
            check(status == 200 and took < 5, f"/healthz answered {status} after {took:.1f} s")
            for s in held:
                s.close()
    finally:
        for s in held:
            s.close()
        cleanup(work)


def test_slow_header_http_connections_do_not_block_requests():
    """Slowloris: 48 connections (three times the workers) each send a header byte every second and
    never finish; meanwhile /healthz and a QIDO search are answered at once, again and again."""
    import http.client
    work = tempdir("flood-slow")
    held = []
    try:
        with AtriumServer(os.path.join(work, "data"), http=True, extra_args=["--no-auth"]) as srv:
            for _ in range(48):
                s = socket.create_connection(("127.0.0.1", srv.http_port), timeout=5)
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                held.append(s)
            slowest = 0.0
            for second in range(6):  # bounded: six rounds of one byte each
                for s in held:
                    s.sendall(b"a")
                for path in ("/healthz", "/dicom-web/studies?limit=1"):
                    start = time.time()
                    c = http.client.HTTPConnection("127.0.0.1", srv.http_port, timeout=30)
                    c.request("GET", path)
                    r = c.getresponse()
                    r.read()
                    c.close()
                    slowest = max(slowest, time.time() - start)
                    check(r.status == 200, f"{path} answered {r.status} while slow clients hold connections")
                time.sleep(1)
            check(slowest < 3, f"a request waited {slowest:.1f} s behind slow clients")
    finally:
        for s in held:
            s.close()
        cleanup(work)


if __name__ == "__main__":
    main([test_idle_and_stalled_connections_do_not_block_associations, test_idle_http_connections_do_not_block_requests,
          test_slow_header_http_connections_do_not_block_requests])
