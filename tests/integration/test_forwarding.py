"""Auto-forwarding and the persistent send queue, with real DCMTK storescp receivers:
  - `serve --forward AET`: every stored instance arrives at the receiver;
  - the receiver stopped mid-study: storing goes on, the job retries with back-off; Atrium killed
    (-9) and restarted meanwhile; once the receiver is back every instance arrives, once;
  - routing rules (modality, calling AE) send only what matches;
  - `atrium push`, `atrium jobs list|retry|cancel`, and the errors of bad input."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import (ATRIUM, AtriumServer, StoreScp, check, cleanup, dataset_uid, free_port,  # noqa: E402
                            main, make_mr_files, run, tempdir, write_instance)

RETRY = {"max_attempts": 100, "initial_delay_s": 1, "max_delay_s": 2}


def received(out_dir):
    """SOP Instance UIDs of the files a storescp wrote."""
    if not os.path.isdir(out_dir):
        return set()
    return {dataset_uid(os.path.join(out_dir, n)) for n in os.listdir(out_dir) if not n.endswith(".log")}


def wait_until(what, cond, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def send(port, paths, calling="MODALITY"):
    run([ATRIUM, "send", f"127.0.0.1:{port}", "--called", "ATRIUM", "--aet", calling] + paths, check_rc=0)


def jobs(data):
    p = run([ATRIUM, "jobs", "list", "--data", data, "--json"], check_rc=0)
    return json.loads(p.stdout)


def test_forward_survives_receiver_down_and_atrium_restart():
    tmp = tempdir("fwd")
    try:
        out = os.path.join(tmp, "received")
        rport = free_port()
        files = make_mr_files(os.path.join(tmp, "study"), 24)
        uids = {dataset_uid(p) for p in files}
        config = {"peers": [{"aet": "STORESCP", "host": "127.0.0.1", "port": rport}], "retry": RETRY,
                  "accept_unknown_aets": True}
        srv = AtriumServer(os.path.join(tmp, "data"), config=config, extra_args=["--forward", "STORESCP"])
        srv.start()
        try:
            with StoreScp(out, port=rport):
                send(srv.port, files[:8])
                first = {dataset_uid(p) for p in files[:8]}
                wait_until("the first part of the study", lambda: received(out) >= first)
            # Receiver down: storing still succeeds at once; the job waits and retries.
            send(srv.port, files[8:])
            wait_until("a failed attempt", lambda: any(j["attempts"] >= 1 and j["last_error"]
                                                       for j in jobs(srv.data_dir) if j["state"] == "pending"))
            check(len(srv.instances()) == 24, "stores blocked by a receiver that is down")
            srv.kill9()
        finally:
            srv.stop()
        # Restart Atrium with the receiver still down, then bring the receiver back.
        srv = AtriumServer(os.path.join(tmp, "data"), config=config, extra_args=["--forward", "STORESCP"])
        srv.start()
        try:
            time.sleep(1.5)
            with StoreScp(out, port=rport):
                wait_until("every instance at the receiver", lambda: received(out) == uids)
                wait_until("the jobs done", lambda: all(j["state"] == "done" for j in jobs(srv.data_dir)))
            js = jobs(srv.data_dir)
            check(sum(j["sent"] for j in js) == 24 and all(j["destination"] == "STORESCP" for j in js),
                  f"jobs: {js}")
            files_at_receiver = [n for n in os.listdir(out) if not n.endswith(".log")]
            check(len(files_at_receiver) == 24, f"{len(files_at_receiver)} files at the receiver, expected 24")
            check(any(j["attempts"] > 1 for j in js), f"no job was retried: {js}")
        finally:
            srv.stop()
    finally:
        cleanup(tmp)


def test_routing_rules_push_and_job_commands():
    tmp = tempdir("routes")
    try:
        ct_out, all_out = os.path.join(tmp, "ct"), os.path.join(tmp, "all")
        down_port = free_port()  # nobody listens there
        with StoreScp(ct_out, aet="CTARCHIVE") as ct, StoreScp(all_out, aet="OTHER") as other:
            config = {"peers": [{"aet": "CTARCHIVE", "host": "127.0.0.1", "port": ct.port},
                                {"aet": "OTHER", "host": "127.0.0.1", "port": other.port},
                                {"aet": "DOWN", "host": "127.0.0.1", "port": down_port}],
                      "routes": [{"name": "CT to the CT archive", "match": {"Modality": "CT"},
                                  "destinations": ["CTARCHIVE"]},
                                 {"name": "from the cath lab", "match": {"calling_aet": "CATH*"},
                                  "destinations": ["OTHER"]}],
                      "retry": RETRY, "accept_unknown_aets": True}
            srv = AtriumServer(os.path.join(tmp, "data"), config=config).start()
            try:
                d = os.path.join(tmp, "in")
                os.makedirs(d)
                paths = {}
                for i, (mod, study) in enumerate([("CT", "1.2.826.0.1.3680043.9.7777.51.1"),
                                                  ("CT", "1.2.826.0.1.3680043.9.7777.51.1"),
                                                  ("MR", "1.2.826.0.1.3680043.9.7777.51.2"),
                                                  ("XA", "1.2.826.0.1.3680043.9.7777.51.3")]):
                    uid = f"1.2.826.0.1.3680043.9.7777.51.9.{i}"
                    p = os.path.join(d, f"{i}.dcm")
                    write_instance(p, uid, study, study + ".1", modality=mod)
                    paths[uid] = p
                uids = list(paths)
                send(srv.port, [paths[u] for u in uids[:3]])           # CT, CT, MR from MODALITY
                send(srv.port, [paths[uids[3]]], calling="CATHLAB1")   # XA from the cath lab
                wait_until("CT at the CT archive", lambda: received(ct_out) == set(uids[:2]))
                wait_until("cath lab at OTHER", lambda: received(all_out) == {uids[3]})
                time.sleep(1.5)
                check(received(ct_out) == set(uids[:2]) and received(all_out) == {uids[3]},
                      f"routing sent more than matched: {received(ct_out)} {received(all_out)}")

                # Manual push of the MR study uses the same queue.
                p = run([ATRIUM, "push", "--study", "1.2.826.0.1.3680043.9.7777.51.2", "--to", "OTHER",
                         "--data", srv.data_dir], check_rc=0)
                push_id = int(p.stdout)
                wait_until("the pushed study", lambda: received(all_out) == {uids[3], uids[2]})
                wait_until("push job done", lambda: [j["state"] for j in jobs(srv.data_dir)
                                                     if j["id"] == push_id] == ["done"])

                # A push to a peer that is down: retried, cancelled, retried again.
                p = run([ATRIUM, "push", "--study", "1.2.826.0.1.3680043.9.7777.51.1", "--to", "DOWN",
                         "--data", srv.data_dir], check_rc=0)
                down_id = int(p.stdout)
                job = lambda: [j for j in jobs(srv.data_dir) if j["id"] == down_id][0]  # noqa: E731
                wait_until("two failed attempts", lambda: job()["attempts"] >= 2)
                check(job()["state"] == "pending" and job()["last_error"], f"down job: {job()}")
                run([ATRIUM, "jobs", "cancel", str(down_id), "--data", srv.data_dir], check_rc=0)
                wait_until("cancelled", lambda: job()["state"] == "cancelled")
                attempts = job()["attempts"]
                time.sleep(2.5)
                check(job()["attempts"] == attempts and job()["state"] == "cancelled", f"cancelled job ran: {job()}")
                p = run([ATRIUM, "jobs", "cancel", str(down_id), "--data", srv.data_dir])
                check(p.returncode == 1 and "already cancelled" in p.stderr.decode(), f"cancel twice: {p.stderr!r}")
                run([ATRIUM, "jobs", "retry", str(down_id), "--data", srv.data_dir], check_rc=0)
                wait_until("retried", lambda: job()["state"] == "pending" and job()["attempts"] >= 1)
                p = run([ATRIUM, "jobs", "retry", str(push_id), "--data", srv.data_dir])
                check(p.returncode == 1 and "job is done" in p.stderr.decode(), f"retry a done job: {p.stderr!r}")

                # Bad input: unknown study, unknown job, bad id, no data folder.
                for args, rc, want in [
                    (["push", "--study", "1.2.3.4", "--to", "OTHER", "--data", srv.data_dir], 1, "no study 1.2.3.4"),
                    (["push", "--study", "1.2.3.4"], 2, "usage"),
                    (["jobs", "retry", "999", "--data", srv.data_dir], 1, "no such job"),
                    (["jobs", "cancel", "x", "--data", srv.data_dir], 2, "must be a number"),
                    (["jobs", "list", "--data", os.path.join(tmp, "none")], 2, "no Atrium index"),
                ]:
                    p = run([ATRIUM] + args)
                    err = p.stderr.decode()
                    check(p.returncode == rc and want in err, f"{args}: {p.returncode} {p.stderr!r}")
                    check(rc == 2 and "usage" in err or err.count("\n") == 1, f"{args}: not one line: {err!r}")
            finally:
                srv.stop()
        # Configuration errors stop the server at start with one line.
        for cfg, want in [({"routes": [{"name": "x", "match": {"Nonsense": "1"}, "destinations": ["A"]}],
                            "peers": [{"aet": "A", "host": "127.0.0.1", "port": 1}]}, "'Nonsense'"),
                          ({"routes": [{"name": "x", "destinations": ["NOPE"]}]}, "not in 'peers'")]:
            path = os.path.join(tmp, "bad.json")
            with open(path, "w") as f:
                json.dump(cfg, f)
            p = run([ATRIUM, "serve", "--config", path, "--data", os.path.join(tmp, "d2")], timeout=30)
            check(p.returncode == 2 and want in p.stderr.decode(), f"{cfg}: {p.returncode} {p.stderr!r}")
        p = run([ATRIUM, "serve", "--forward", "NOBODY", "--data", os.path.join(tmp, "d2")], timeout=30)
        check(p.returncode == 2 and "NOBODY" in p.stderr.decode(), f"--forward unknown: {p.stderr!r}")
    finally:
        cleanup(tmp)


def test_a_failure_status_is_not_sent():
    """The receiver answers every C-STORE with A700 (a second Atrium whose storage limit is reached):
    the association worked, but nothing was stored there, so nothing counts as sent and the job is
    not done; it retries, then fails after its attempts, each instance recorded as failed."""
    tmp = tempdir("fwd-refused")
    try:
        files = make_mr_files(os.path.join(tmp, "study"), 3)
        with AtriumServer(os.path.join(tmp, "full"), config={"max_storage_gb": 1e-9}, aet="FULL") as full:
            config = {"peers": [{"aet": "FULL", "host": "127.0.0.1", "port": full.port}],
                      "retry": {"max_attempts": 2, "initial_delay_s": 1, "max_delay_s": 1},
                      "accept_unknown_aets": True}
            with AtriumServer(os.path.join(tmp, "data"), config=config, extra_args=["--forward", "FULL"]) as srv:
                send(srv.port, files)
                wait_until("the job to give up", lambda: jobs(srv.data_dir) and
                           all(j["state"] == "failed" for j in jobs(srv.data_dir)), timeout=90)
                js = jobs(srv.data_dir)
                check(sum(j["sent"] for j in js) == 0 and sum(j["failed"] for j in js) == 3, f"jobs: {js}")
                check(all(j["attempts"] == 2 and "storage limit reached" in j["last_error"] for j in js), f"jobs: {js}")
            check(full.instances() == {}, "the full archive stored nothing")
    finally:
        cleanup(tmp)


if __name__ == "__main__":
    main([test_forward_survives_receiver_down_and_atrium_restart, test_routing_rules_push_and_job_commands,
          test_a_failure_status_is_not_sent])
