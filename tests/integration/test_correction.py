"""Correcting stored data: PATCH /api/studies/{uid} rewrites the files and the index (C-FIND and QIDO
show the new values, the files keep the old ones in their Original Attributes Sequence), merging two
patients, moving a series into a new or another study, the history and the audit trail, resending to
the peers that had the study, `atrium modify`, and kill -9 during a correction losing nothing."""
import glob
import json
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import (ATRIUM, AtriumServer, check, cleanup, findscu, main, run, tempdir,  # noqa: E402
                            write_instance)

sys.path.insert(0, "/usr/lib/python3/dist-packages")
import pydicom  # noqa: E402

ADMIN = ("adm", "pw-adm")
VIEWER = ("view", "pw-view")
USERS = ["--user", f"{ADMIN[0]}:{ADMIN[1]}:admin", "--user", f"{VIEWER[0]}:{VIEWER[1]}:viewer"]
ROOT = "1.2.826.0.1.3680043.9.7777.17"
S1, S2 = f"{ROOT}.1", f"{ROOT}.2"


def make_corpus(folder, per_series=3):
    """Study S1 of the wrong patient (two series), study S2 of the right one (one series)."""
    os.makedirs(folder, exist_ok=True)
    paths = []
    for study, pid, name, acc, series in [(S1, "WRONG-1", "Wrong^Patient", "ACC-1", 2),
                                          (S2, "RIGHT-1", "Right^Patient", "ACC-2", 1)]:
        for se in range(series):
            for i in range(per_series):
                sop = f"{study}.{se}.{i}"
                paths.append(write_instance(os.path.join(folder, f"{sop}.dcm"), sop, study, f"{study}.{se}",
                                            patient_name=name, patient_id=pid, accession=acc, series_number=se + 1,
                                            instance_number=i + 1, birth_date="19600101" if pid == "RIGHT-1" else "",
                                            sex="F" if pid == "RIGHT-1" else "O"))
    return paths


def store(srv, files):
    run(["storescu", "-aec", srv.aet, "127.0.0.1", str(srv.port), *files], check_rc=0, timeout=120)


def patch(srv, study, attrs, auth=ADMIN, query=""):
    return srv.http("PATCH", f"/api/studies/{study}{query}", body=attrs, auth=auth)


def files_of(srv, study=None):
    """{sop: pydicom data set} of the stored files (of one study)."""
    with srv.db() as c:
        rows = c.execute("SELECT i.sop_uid, i.path FROM instances i JOIN series se ON se.pk=i.series_pk JOIN studies "
                         "st ON st.pk=se.study_pk WHERE ?1 IS NULL OR st.study_uid=?1", (study,)).fetchall()
    return {sop: pydicom.dcmread(os.path.join(srv.data_dir, "storage", p)) for sop, p in rows}


def qido(srv, query):
    st, body, _ = srv.http("GET", f"/dicom-web/studies?{query}", auth=VIEWER)
    check(st in (200, 204), (st, body))
    return body or []


def value(ds_json, tag):
    v = ds_json.get(tag, {}).get("Value", [""])[0]
    return v.get("Alphabetic", "") if isinstance(v, dict) else v


def audit_count(srv, code):
    n = 0
    for f in glob.glob(os.path.join(srv.data_dir, "audit", "*.xml")):
        with open(f, encoding="utf-8") as fh:
            n += sum(f'csd-code="{code}"' in line for line in fh)
    return n


def test_patch_merge_move_and_history():
    work = tempdir("correct")
    try:
        files = make_corpus(os.path.join(work, "in"))
        with AtriumServer(os.path.join(work, "data"), http=True, extra_args=USERS) as srv:
            store(srv, files)
            # Patient and study attributes of S1, one of them outside ASCII.
            st, r, _ = patch(srv, S1, {"00100010": {"vr": "PN", "Value": [{"Alphabetic": "Lefèvre^Zoë"}]},
                                       "00100030": {"vr": "DA", "Value": ["19751224"]},
                                       "00080050": {"vr": "SH", "Value": ["ACC-1B"]},
                                       "00081030": {"vr": "LO", "Value": ["Cardiac MR"]}})
            check(st == 200 and r["instances"] == 6 and r["study"] == S1 and r["modification"] >= 1, (st, r))
            found = qido(srv, f"StudyInstanceUID={S1}")
            check(value(found[0], "00100010") == "Lefèvre^Zoë" and value(found[0], "00080050") == "ACC-1B"
                  and value(found[0], "00081030") == "Cardiac MR", found)
            status, rsp = findscu(srv.port, ["QueryRetrieveLevel=STUDY", f"StudyInstanceUID={S1}", "PatientName",
                                             "PatientBirthDate", "AccessionNumber"])
            check(len(rsp) == 1 and str(rsp[0].PatientName) == "Lefèvre^Zoë" and rsp[0].PatientBirthDate == "19751224"
                  and rsp[0].AccessionNumber == "ACC-1B", (status, rsp))
            for sop, ds in files_of(srv, S1).items():
                check(str(ds.PatientName) == "Lefèvre^Zoë" and ds.SpecificCharacterSet == "ISO_IR 192", sop)
                orig = ds.OriginalAttributesSequence[-1]
                check(orig.ModifyingSystem == "ATRIUM" and orig.ReasonForTheAttributeModification == "CORRECT", orig)
                old = orig.ModifiedAttributesSequence[0]
                check(str(old.PatientName) == "Wrong^Patient" and old.AccessionNumber == "ACC-1", old)
            v = run([ATRIUM, "verify", "--data", srv.data_dir])
            check(v.returncode == 0, "index checksums match the rewritten files: " + v.stderr.decode())
            # Bad requests: named, nothing changed.
            st, r, _ = patch(srv, S1, {"00080060": {"vr": "CS", "Value": ["CT"]}})
            check(st == 400 and "Modality cannot be changed" in r["error"], (st, r))
            st, r, _ = patch(srv, S1, {"00100030": {"vr": "DA", "Value": ["20230231"]}})
            check(st == 400 and "not a date" in r["error"], (st, r))
            st, r, _ = patch(srv, S1, {"00100040": {"vr": "CS", "Value": ["X"]}})
            check(st == 400 and "M, F, O" in r["error"], (st, r))
            st, r, _ = patch(srv, "1.2.3.4", {"00100020": {"vr": "LO", "Value": ["X"]}})
            check(st == 404 and "no study 1.2.3.4" in r["error"], (st, r))
            st, _, _ = patch(srv, S1, {"00100020": {"vr": "LO", "Value": ["X"]}}, auth=VIEWER)
            check(st == 403, st)
            check(srv.http("PATCH", f"/api/studies/{S1}", body=b"{not json", auth=ADMIN)[0] == 400, "bad JSON")

            # Merge: every study of WRONG-1 takes RIGHT-1's patient attributes; WRONG-1 is gone.
            st, r, _ = srv.http("POST", "/api/patients/merge", body={"from": "WRONG-1", "into": "RIGHT-1"}, auth=ADMIN)
            check(st == 200 and len(r) == 1 and r[0]["study"] == S1 and r[0]["instances"] == 6, (st, r))
            status, rsp = findscu(srv.port, ["QueryRetrieveLevel=PATIENT", "PatientID", "PatientName"], root="-P")
            check(sorted(x.PatientID for x in rsp) == ["RIGHT-1"], [x.PatientID for x in rsp])
            for sop, ds in files_of(srv, S1).items():
                check(ds.PatientID == "RIGHT-1" and str(ds.PatientName) == "Right^Patient" and ds.PatientSex == "F"
                      and ds.PatientBirthDate == "19600101" and ds.AccessionNumber == "ACC-1B", sop)
            st, r, _ = srv.http("POST", "/api/patients/merge", body={"from": "NOBODY", "into": "RIGHT-1"}, auth=ADMIN)
            check(st == 404, (st, r))

            # Move the second series of S1 into a new study, then into S2.
            st, r, _ = srv.http("POST", f"/api/series/{S1}.1/move", body={}, auth=ADMIN)
            check(st == 200 and r["instances"] == 3 and r["study"] not in (S1, S2), (st, r))
            new_study = r["study"]
            check(len(qido(srv, f"StudyInstanceUID={new_study}")) == 1, "the new study answers QIDO")
            st, series, _ = srv.http("GET", f"/dicom-web/studies/{S1}/series", auth=VIEWER)
            check(st == 200 and [value(s, "0020000E") for s in series] == [f"{S1}.0"], series)
            st, r, _ = srv.http("POST", f"/api/series/{S1}.1/move", body={"study": S2}, auth=ADMIN)
            check(st == 200 and r["study"] == S2, (st, r))
            check(qido(srv, f"StudyInstanceUID={new_study}") == [], "the emptied study is gone")
            for sop, ds in files_of(srv, S2).items():
                check(ds.StudyInstanceUID == S2 and ds.AccessionNumber == "ACC-2", sop)
            st, r, _ = srv.http("POST", f"/api/series/{S1}.1/move", body={"study": S2}, auth=ADMIN)
            check(st == 400 and "already" in r["error"], (st, r))
            v = run([ATRIUM, "verify", "--data", srv.data_dir])
            check(v.returncode == 0, v.stderr.decode())

            # The history: who, when, what (oldest first); a moved series is in both studies' history.
            st, hist, _ = srv.http("GET", f"/api/studies/{S1}/history", auth=VIEWER)
            kinds = [h["kind"] for h in hist]
            check(st == 200 and kinds == ["modify", "merge", "move-series"], kinds)
            st, hist2, _ = srv.http("GET", f"/api/studies/{S2}/history", auth=VIEWER)
            check([(h["kind"], h["detail"]["from_study"]) for h in hist2] == [("move-series", new_study)], hist2)
            check(hist[0]["user"] == "adm" and hist[0]["detail"]["changes"]["PatientName"] ==
                  {"old": "Wrong^Patient", "new": "Lefèvre^Zoë"}, hist[0])
            check(audit_count(srv, "110110") == 4, "PatientRecord messages")
    finally:
        cleanup(work)


def test_resend_to_the_peers_that_had_the_study():
    work = tempdir("correct-resend")
    try:
        files = make_corpus(os.path.join(work, "in"), per_series=2)
        peer = AtriumServer(os.path.join(work, "peer"), aet="PEER", config={"duplicate_policy": "overwrite",
                                                                                   "accept_unknown_aets": True})
        with peer:
            cfg = {"peers": [{"aet": "PEER", "host": "127.0.0.1", "port": peer.port}], "accept_unknown_aets": True}
            with AtriumServer(os.path.join(work, "data"), http=True, extra_args=USERS, config=cfg) as srv:
                store(srv, files)
                st, job, _ = srv.http("POST", "/api/push", body={"study": S2, "to": "PEER"}, auth=ADMIN)
                check(st == 201, (st, job))

                def done():
                    deadline = time.time() + 60
                    while time.time() < deadline:
                        jobs = srv.http("GET", "/api/jobs", auth=VIEWER)[1]
                        if jobs and all(j["state"] in ("done", "failed") for j in jobs):
                            return jobs
                        time.sleep(0.3)
                    return srv.http("GET", "/api/jobs", auth=VIEWER)[1]
                check(all(j["state"] == "done" for j in done()), "pushed")
                st, r, _ = patch(srv, S2, {"00100010": {"vr": "PN", "Value": [{"Alphabetic": "Corrected^Name"}]}},
                                 query="?resend=1")
                check(st == 200 and r["resent_to"] == ["PEER"], (st, r))
                jobs = done()
                check(len(jobs) == 2 and all(j["state"] == "done" for j in jobs), jobs)
                # S1 never went anywhere: nothing to resend.
                st, r, _ = patch(srv, S1, {"00081030": {"vr": "LO", "Value": ["x"]}}, query="?resend=1")
                check(st == 200 and r["resent_to"] == [], (st, r))
            names = {str(ds.PatientName) for ds in files_of(peer).values()}
            check(names == {"Corrected^Name"}, f"the peer holds the corrected study: {names}")
    finally:
        cleanup(work)


def test_modify_from_the_command_line():
    work = tempdir("correct-cli")
    try:
        files = make_corpus(os.path.join(work, "in"), per_series=1)
        data = os.path.join(work, "data")
        with AtriumServer(data) as srv:
            store(srv, files)
            r = run([ATRIUM, "modify", "--data", data, "--study", S2, "--set", "PatientSex=M"])
            check(r.returncode == 2 and b"is running" in r.stderr, r.stderr)
        r = run([ATRIUM, "modify", "--data", data, "--study", S2, "--set", "PatientSex=M", "--set",
                 "StudyDescription=Stress perfusion", "--json"])
        check(r.returncode == 0, r.stderr)
        out = json.loads(r.stdout)
        check(out[0]["study"] == S2 and out[0]["instances"] == 1, out)
        r = run([ATRIUM, "modify", "--data", data, "--study", S2, "--set", "SOPInstanceUID=1.2"])
        check(r.returncode == 2 and b"SOPInstanceUID cannot be changed" in r.stderr, r.stderr)
        r = run([ATRIUM, "modify", "--data", data, "--series", f"{S1}.1", "--to-study", "new", "--json"])
        check(r.returncode == 0 and json.loads(r.stdout)[0]["study"] != S1, r.stderr)
        r = run([ATRIUM, "modify", "--data", data, "--merge-patient", "WRONG-1", "--into", "RIGHT-1"])
        check(r.returncode == 0 and r.stdout.count(b"modification") == 2, r.stdout)
        with AtriumServer(data, http=True, extra_args=USERS) as srv:
            ds = list(files_of(srv, S2).values())[0]
            check(ds.PatientSex == "M" and ds.StudyDescription == "Stress perfusion", ds)
            check(len(qido(srv, "PatientID=WRONG-1")) == 0 and len(qido(srv, "PatientID=RIGHT-1")) == 3, "merged")
            check(audit_count(srv, "110110") == 4, "the CLI's corrections are audited")
    finally:
        cleanup(work)


def test_kill9_during_a_correction_loses_nothing():
    """The server is killed at a random moment of a 300-instance correction (about 0.3 s here): after the restart every
    file matches the index (verify), and the study is either wholly old or wholly corrected."""
    work = tempdir("correct-kill")
    try:
        files = make_corpus(os.path.join(work, "in"), per_series=150)  # S1: 300 instances
        data = os.path.join(work, "data")
        rng = random.Random(17)
        outcomes = []
        with AtriumServer(data) as srv:
            store(srv, files)
        for attempt in range(5):
            srv = AtriumServer(data, http=True, extra_args=USERS).start()
            name = f"Attempt^N{attempt}"
            def correct():
                try:
                    patch(srv, S1, {"00100010": {"vr": "PN", "Value": [{"Alphabetic": name}]}})
                except OSError:
                    pass  # the server died under the request: that is the test
            t = threading.Thread(target=correct)
            t.start()
            time.sleep(rng.uniform(0.02, 0.4))
            srv.kill9()
            t.join(timeout=60)
            srv.log.close()
            with AtriumServer(data, http=True, extra_args=USERS) as again:
                v = run([ATRIUM, "verify", "--data", data])
                check(v.returncode == 0, f"attempt {attempt}: {v.stdout.decode()} {v.stderr.decode()}")
                names = {str(ds.PatientName) for ds in files_of(again, S1).values()}
                check(len(names) == 1, f"attempt {attempt}: one name in every file: {names}")
                indexed = value(qido(again, f"StudyInstanceUID={S1}")[0], "00100010")
                check(names == {indexed}, f"attempt {attempt}: files {names}, index {indexed}")
                check(len(files_of(again, S1)) == 300, "no instance lost")
                leftovers = [p for p in glob.glob(os.path.join(data, "storage", "**", "*.part"), recursive=True)]
                check(not leftovers, f"temp files cleared: {leftovers[:3]}")
                outcomes.append(indexed == name)
        print(f"corrections completed before the kill: {outcomes}")
        # The window between the index commit and the files' swap, hit on purpose: the server stops
        # dead there (ATRIUM_FAULT), and the next start finishes the swaps.
        srv = AtriumServer(data, http=True, extra_args=USERS, env={"ATRIUM_FAULT": "correction-after-commit"}).start()
        try:
            patch(srv, S1, {"00100010": {"vr": "PN", "Value": [{"Alphabetic": "After^Commit"}]}})
        except OSError:
            pass
        srv.proc.wait(timeout=30)
        srv.log.close()
        with srv.db() as c:
            pending = c.execute("SELECT count(*) FROM pending_swaps").fetchone()[0]
        check(pending == 300, f"{pending} swaps left by the crash")
        with AtriumServer(data, http=True, extra_args=USERS) as again:
            check("finished an interrupted correction" in again.log_text(), "the start finished the swaps")
            v = run([ATRIUM, "verify", "--data", data])
            check(v.returncode == 0, f"after the fault: {v.stdout.decode()} {v.stderr.decode()}")
            names = {str(ds.PatientName) for ds in files_of(again, S1).values()}
            check(names == {"After^Commit"}, names)
            with again.db() as c:
                check(c.execute("SELECT count(*) FROM pending_swaps").fetchone()[0] == 0, "journal emptied")
    finally:
        cleanup(work)


if __name__ == "__main__":
    main([test_patch_merge_move_and_history, test_resend_to_the_peers_that_had_the_study,
          test_modify_from_the_command_line, test_kill9_during_a_correction_loses_nothing])
