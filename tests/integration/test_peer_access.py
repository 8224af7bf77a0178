"""Who may connect (#15): per-peer rules of calling AE title, host and services, and the
accept_unknown_aets switch, with DCMTK's echoscu/storescu/findscu as the callers. Refusals carry the
standard reasons (association rejected: calling AE title not recognized; a context of a service the
peer may not use: abstract syntax not supported) and are logged with why."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import AtriumServer, check, cleanup, main, make_mr_files, run, tempdir  # noqa: E402

PEERS = [
    {"aet": "MODALITY", "host": "127.0.0.1", "port": 104, "services": ["store", "worklist"]},
    {"aet": "VIEWER", "host": "localhost", "port": 104, "services": ["query", "retrieve"]},  # by name
    {"aet": "REMOTE", "host": "192.0.2.10", "port": 104},  # TEST-NET-1: never this machine
]


def echo(srv, calling):
    return run(["echoscu", "-to", "10", "-aet", calling, "-aec", srv.aet, "127.0.0.1", str(srv.port)], timeout=60)


def store(srv, calling, path):
    return run(["storescu", "-to", "10", "-aet", calling, "-aec", srv.aet, "127.0.0.1", str(srv.port), path],
               timeout=60)


def find(srv, calling):
    return run(["findscu", "-to", "10", "-S", "-aet", calling, "-aec", srv.aet, "-k", "QueryRetrieveLevel=STUDY",
                "-k", "StudyInstanceUID", "127.0.0.1", str(srv.port)], timeout=60)


def test_peer_rules():
    work = tempdir("peers")
    try:
        files = make_mr_files(os.path.join(work, "in"), 2)
        with AtriumServer(os.path.join(work, "data"), config={"peers": PEERS}) as srv:
            p = echo(srv, "STRANGER")
            check(p.returncode != 0 and b"Calling AE Title Not Recognized" in p.stderr + p.stdout,
                  f"an unknown AE was not refused as unrecognized: {p.stderr.decode()[-300:]}")
            p = echo(srv, "REMOTE")
            check(p.returncode != 0, "a peer's AE title was accepted from another host")
            check(echo(srv, "MODALITY").returncode == 0 and echo(srv, "VIEWER").returncode == 0,
                  "known peers may echo")
            p = store(srv, "MODALITY", files[0])
            check(p.returncode == 0 and len(srv.instances()) == 1, f"MODALITY may store: {p.stderr.decode()[-300:]}")
            p = find(srv, "MODALITY")
            check(p.returncode != 0, "MODALITY may not query, but its C-FIND succeeded")
            p = find(srv, "VIEWER")
            check(p.returncode == 0, f"VIEWER may query: {p.stderr.decode()[-300:]}")
            p = store(srv, "VIEWER", files[1])
            check(p.returncode != 0 and len(srv.instances()) == 1, "VIEWER may not store, but stored")
            log = srv.log_text()
            for line in ("calling AE title 'STRANGER' is no configured peer",
                         "calling AE title 'REMOTE' belongs to host 192.0.2.10, not to 127.0.0.1",
                         "query is not permitted to this peer", "store is not permitted to this peer"):
                check(line in log, f"the log should say: {line}")
            check(srv.alive(), "server alive")
        # The switch: unknown AE titles accepted again (peers still held to their rules).
        with AtriumServer(os.path.join(work, "data2"), config={"peers": PEERS, "accept_unknown_aets": True}) as srv:
            check(echo(srv, "STRANGER").returncode == 0, "accept_unknown_aets: true still refuses strangers")
            check(store(srv, "STRANGER", files[0]).returncode == 0, "a stranger may store when accepted")
            check(echo(srv, "REMOTE").returncode != 0, "REMOTE accepted from the wrong host")
        # No peers configured: anyone, as before (a single-site default that needs no setup).
        with AtriumServer(os.path.join(work, "data3")) as srv:
            check(echo(srv, "ANYONE").returncode == 0, "with no peers, anyone may connect")
    finally:
        cleanup(work)


if __name__ == "__main__":
    main([test_peer_rules])
