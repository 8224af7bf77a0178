"""Modality Performed Procedure Step: N-CREATE and N-SET from Atrium's SCU (`atrium worklist
mpps-create|mpps-set`, DCMTK's network API) to the archive: the step is kept (GET /api/mpps), marks
its worklist step STARTED, a COMPLETED step takes it off the worklist (DCMTK findscu -W no longer
finds it), a DISCONTINUED one leaves it there; an ended step may not change; every bad request gets
the status PS3.4 F.7 names. A second client, written here from PS3.7 (its own A-ASSOCIATE and
N-CREATE/N-SET command sets as bytes, the data sets encoded by pydicom), checks the wire format
independently of DCMTK's encoder, which Atrium's SCU and SCP share."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import struct  # noqa: E402

from atrium_testlib import (ATRIUM, IMPLICIT_LE, AtriumServer, RawAssociation, _uid, check, cleanup,  # noqa: E402
                            command_set, dataset_bytes, findscu, main, p_data, run, tempdir)

sys.path.insert(0, "/usr/lib/python3/dist-packages")
from pydicom.dataset import Dataset  # noqa: E402
from pydicom.sequence import Sequence  # noqa: E402

MPPS = "1.2.840.10008.3.1.2.3.3"


def write(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f)
    return path


def worklist_item(pid, step_id):
    return {"00100020": {"vr": "LO", "Value": [pid]}, "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Pps^Patient"}]},
            "00080050": {"vr": "SH", "Value": [f"ACC-{step_id}"]},
            "00400100": {"vr": "SQ", "Value": [{
                "00080060": {"vr": "CS", "Value": ["MR"]}, "00400001": {"vr": "AE", "Value": ["MR1"]},
                "00400002": {"vr": "DA", "Value": ["20991201"]}, "00400003": {"vr": "TM", "Value": ["080000"]},
                "00400009": {"vr": "SH", "Value": [step_id]}}]}}


def performed(step_id, status="IN PROGRESS"):
    attrs = {"00100020": {"vr": "LO", "Value": ["PPS-1"]},
             "00400253": {"vr": "SH", "Value": [f"PPS-{step_id}"]},
             "00400241": {"vr": "AE", "Value": ["MR1"]}, "00400244": {"vr": "DA", "Value": ["20991201"]},
             "00400245": {"vr": "TM", "Value": ["081500"]}, "00080060": {"vr": "CS", "Value": ["MR"]},
             "00400270": {"vr": "SQ", "Value": [{"00080050": {"vr": "SH", "Value": [f"ACC-{step_id}"]},
                                                  "00400009": {"vr": "SH", "Value": [step_id]}}]}}
    if status is not None:
        attrs["00400252"] = {"vr": "CS", "Value": [status]}
    return attrs


def on_worklist(srv, step_id):
    status, rsps = findscu(srv.port, ["PatientID", "ScheduledProcedureStepSequence[0].ScheduledProcedureStepID",
                                      "ScheduledProcedureStepSequence[0].Modality=MR"], root="-W")
    check(status == "Success", status)
    return any(r.ScheduledProcedureStepSequence[0].ScheduledProcedureStepID == step_id for r in rsps)


def answered_status(srv, step_id):
    """The Scheduled Procedure Step Status the worklist answers for the step (DCMTK findscu -W)."""
    status, rsps = findscu(srv.port, ["PatientID", "ScheduledProcedureStepSequence[0].ScheduledProcedureStepID",
                                      "ScheduledProcedureStepSequence[0].ScheduledProcedureStepStatus",
                                      "ScheduledProcedureStepSequence[0].Modality=MR"], root="-W")
    for r in rsps:
        step = r.ScheduledProcedureStepSequence[0]
        if step.ScheduledProcedureStepID == step_id:
            return step.get("ScheduledProcedureStepStatus", "")
    return None


def step_status(srv, step_id):
    with srv.db() as c:
        row = c.execute("SELECT status FROM worklist_steps WHERE step_id=?", (step_id,)).fetchone()
    return row[0] if row else None


def test_mpps_create_set_and_the_worklist():
    work = tempdir("mpps")
    try:
        with AtriumServer(os.path.join(work, "data"), http=True, extra_args=["--user", "v:pw:viewer"]) as srv:
            for step in ("SPS-A", "SPS-B"):
                run([ATRIUM, "worklist", "add", write(os.path.join(work, f"{step}.json"), worklist_item("PPS-1", step)),
                     "--data", srv.data_dir], check_rc=0)
            check(on_worklist(srv, "SPS-A") and on_worklist(srv, "SPS-B"), "both steps scheduled")
            peer = f"127.0.0.1:{srv.port}"

            def create(attrs, *extra):
                return run([ATRIUM, "worklist", "mpps-create", peer, write(os.path.join(work, "c.json"), attrs),
                            "--called", "ATRIUM", *extra])

            def set_(uid, attrs):
                return run([ATRIUM, "worklist", "mpps-set", peer, uid, write(os.path.join(work, "s.json"), attrs),
                            "--called", "ATRIUM"])

            r = create(performed("SPS-A"))
            check(r.returncode == 0, r.stderr)
            uid_a = r.stdout.decode().strip()
            check(step_status(srv, "SPS-A") == "STARTED", step_status(srv, "SPS-A"))
            check(answered_status(srv, "SPS-A") == "STARTED", f"worklist answer: {answered_status(srv, 'SPS-A')}")
            # Progress, then the end.
            r = set_(uid_a, {"00400254": {"vr": "LO", "Value": ["SAX cine and LGE"]}})
            check(r.returncode == 0, r.stderr)
            r = set_(uid_a, {"00400252": {"vr": "CS", "Value": ["COMPLETED"]},
                             "00400250": {"vr": "DA", "Value": ["20991201"]},
                             "00400251": {"vr": "TM", "Value": ["090000"]}})
            check(r.returncode == 0, r.stderr)
            check(not on_worklist(srv, "SPS-A") and on_worklist(srv, "SPS-B"), "a completed step leaves the worklist")
            r = set_(uid_a, {"00400254": {"vr": "LO", "Value": ["late"]}})
            check(r.returncode == 1 and b"0xc310" in r.stderr and b"may no longer be updated" in r.stderr, r.stderr)
            # Discontinued: the scheduled step stays, marked.
            r = create(performed("SPS-B"), "--uid", "1.2.826.0.1.3680043.9.7777.20.1")
            check(r.returncode == 0 and r.stdout.strip() == b"1.2.826.0.1.3680043.9.7777.20.1", r.stderr)
            r = set_("1.2.826.0.1.3680043.9.7777.20.1", {"00400252": {"vr": "CS", "Value": ["DISCONTINUED"]}})
            check(r.returncode == 0, r.stderr)
            check(on_worklist(srv, "SPS-B") and step_status(srv, "SPS-B") == "DISCONTINUED", step_status(srv, "SPS-B"))
            check(answered_status(srv, "SPS-B") == "DISCONTINUED", answered_status(srv, "SPS-B"))
            # What REST shows.
            st, steps, _ = srv.http("GET", "/api/mpps", auth=("v", "pw"))
            check(st == 200 and [(s["status"], s["scheduled_step_ids"]) for s in steps] ==
                  [("DISCONTINUED", "SPS-B"), ("COMPLETED", "SPS-A")], steps)
            done = [s for s in steps if s["status"] == "COMPLETED"][0]
            check(done["attributes"]["00400254"]["Value"] == ["SAX cine and LGE"] and done["accession"] == "ACC-SPS-A",
                  done)
            # Refusals with the statuses of PS3.4 F.7.
            r = create(performed("SPS-C", status="COMPLETED"))
            check(r.returncode == 1 and b"0x0106" in r.stderr, r.stderr)
            r = create(performed("SPS-C", status=None))
            check(r.returncode == 1 and b"0x0120" in r.stderr, r.stderr)
            r = create(performed("SPS-C"), "--uid", uid_a)
            check(r.returncode == 1 and b"0x0111" in r.stderr, r.stderr)
            r = set_("1.2.3.4.5", {"00400252": {"vr": "CS", "Value": ["COMPLETED"]}})
            check(r.returncode == 1 and b"0x0112" in r.stderr, r.stderr)
            r = set_("1.2.826.0.1.3680043.9.7777.20.1", {"00400252": {"vr": "CS", "Value": ["FINISHED"]}})
            check(r.returncode == 1 and b"0x0106" in r.stderr, r.stderr)
            check(srv.alive(), "still serving")
        # A peer allowed to store only may not report steps.
        cfg = {"peers": [{"aet": "SCANNER", "host": "127.0.0.1", "port": 104, "services": ["store"]}]}
        with AtriumServer(os.path.join(work, "data2"), config=cfg) as srv:
            r = run([ATRIUM, "worklist", "mpps-create", f"127.0.0.1:{srv.port}",
                     write(os.path.join(work, "c.json"), performed("X")), "--called", "ATRIUM", "--aet", "SCANNER"])
            check(r.returncode == 1 and b"accepted none of the proposed presentation contexts" in r.stderr, r.stderr)
    finally:
        cleanup(work)


def n_create_rq(uid, message_id):
    return command_set([(0x0002, _uid(MPPS)), (0x0100, struct.pack("<H", 0x0140)),
                        (0x0110, struct.pack("<H", message_id)), (0x0800, struct.pack("<H", 0x0102)),
                        (0x1000, _uid(uid))])


def n_set_rq(uid, message_id):
    return command_set([(0x0003, _uid(MPPS)), (0x0100, struct.pack("<H", 0x0120)),
                        (0x0110, struct.pack("<H", message_id)), (0x0800, struct.pack("<H", 0x0102)),
                        (0x1001, _uid(uid))])


def exchange(assoc, command, ds):
    """(command field, status, message ID being responded to) of the response to one N- request."""
    assoc.send_raw(p_data(1, command, True))
    assoc.send_raw(p_data(1, dataset_bytes(ds), False))
    rsp = assoc.read_response()
    return tuple(struct.unpack("<H", rsp[e])[0] for e in (0x0100, 0x0900, 0x0120))


def test_mpps_from_a_client_written_from_the_standard():
    work = tempdir("mpps-raw")
    try:
        with AtriumServer(os.path.join(work, "data")) as srv:
            run([ATRIUM, "worklist", "add", write(os.path.join(work, "w.json"), worklist_item("PPS-1", "SPS-R")),
                 "--data", srv.data_dir], check_rc=0)
            uid = "1.2.826.0.1.3680043.9.7777.20.9"
            a = RawAssociation(srv.port, contexts=[(1, MPPS, [IMPLICIT_LE])])
            check(a.result_type == 2 and a.accepted.get(1, (1,))[0] == 0, f"MPPS context accepted: {a.accepted}")
            ds = Dataset()
            ds.PatientID, ds.Modality, ds.PerformedStationAETitle = "PPS-1", "MR", "MR1"
            ds.PerformedProcedureStepID, ds.PerformedProcedureStepStatus = "PPS-R", "IN PROGRESS"
            ds.PerformedProcedureStepStartDate, ds.PerformedProcedureStepStartTime = "20991201", "081500"
            ref = Dataset()
            ref.AccessionNumber, ref.ScheduledProcedureStepID = "ACC-SPS-R", "SPS-R"
            ds.ScheduledStepAttributesSequence = Sequence([ref])
            check(exchange(a, n_create_rq(uid, 7), ds) == (0x8140, 0x0000, 7), "N-CREATE-RSP success")
            check(step_status(srv, "SPS-R") == "STARTED", step_status(srv, "SPS-R"))
            # Created twice: Duplicate SOP Instance (0111), on the same association.
            check(exchange(a, n_create_rq(uid, 8), ds)[1] == 0x0111, "duplicate refused")
            done = Dataset()
            done.PerformedProcedureStepStatus = "COMPLETED"
            done.PerformedProcedureStepEndDate, done.PerformedProcedureStepEndTime = "20991201", "090000"
            check(exchange(a, n_set_rq(uid, 9), done) == (0x8120, 0x0000, 9), "N-SET-RSP success")
            check(not on_worklist(srv, "SPS-R"), "the completed step left the worklist")
            check(exchange(a, n_set_rq(uid, 10), done)[1] == 0xC310, "an ended step is not changed")
            a.release()
            check(srv.alive(), "still serving")
    finally:
        cleanup(work)


if __name__ == "__main__":
    main([test_mpps_create_set_and_the_worklist, test_mpps_from_a_client_written_from_the_standard])
