"""Modality Worklist with exact expected answers:
  - `atrium worklist add/list/remove` on the data folder of a running server, validation of items
    (each bad field named), expiry of items whose steps are long over;
  - DCMTK `findscu -W` against atrium serve, one query per matching key of the issue, ranges and the
    combined start date-time, the values of every returned key, C-CANCEL;
  - `atrium worklist query` (a scanner's default query) against DCMTK wlmscpfs and against Atrium,
    with the same items in both."""
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import (ATRIUM, IMPLICIT_LE, AtriumServer, RawAssociation, c_cancel_rq, c_find_rq,  # noqa: E402
                            check, cleanup, dataset_bytes, findscu, free_port, main, p_data, read_until_final,
                            run, tempdir, wait_for_port)

sys.path.insert(0, "/usr/lib/python3/dist-packages")
import pydicom  # noqa: E402
from pydicom.dataset import Dataset  # noqa: E402

MWL_FIND = "1.2.840.10008.5.1.4.31"
NOW = time.time()


def local(t):
    """(YYYYMMDD, HHMMSS) of a unix time, local like the worklist."""
    lt = time.localtime(t)
    return time.strftime("%Y%m%d", lt), time.strftime("%H%M%S", lt)


def pn(v):
    return {"vr": "PN", "Value": [{"Alphabetic": v}]}


def s(vr, v):
    return {"vr": vr, "Value": [v]}


def codes(*triples):
    """A code sequence in the DICOM JSON model from (value, scheme, meaning) triples."""
    return {"vr": "SQ", "Value": [{"00080100": s("SH", v), "00080102": s("SH", d), "00080104": s("LO", m)}
                                  for v, d, m in triples]}


def item(pid, name, acc, ref, birth, sex, req, adm, rpid, prio, steps, study_uid=None, procedure_codes=None):
    """A worklist item in the DICOM JSON model; steps: dicts of step attributes."""
    j = {"00100020": s("LO", pid), "00100010": pn(name), "00080050": s("SH", acc), "00080090": pn(ref),
         "00100030": s("DA", birth), "00100040": s("CS", sex), "00321032": pn(req), "00380010": s("LO", adm),
         "00401001": s("SH", rpid), "00401003": s("SH", prio), "00321060": s("LO", f"Procedure {rpid}"),
         "0020000D": s("UI", study_uid or f"1.2.826.0.1.3680043.9.7777.9.{abs(hash(pid)) % 100000}")}
    sq = []
    for st in steps:
        e = {"00080060": s("CS", st["mod"]), "00400001": s("AE", st["aet"]), "00400002": s("DA", st["date"]),
             "00400003": s("TM", st["time"]), "00400009": s("SH", st["id"]), "00400007": s("LO", f"Step {st['id']}")}
        if "station" in st:
            e["00400010"] = s("SH", st["station"])
        if "end" in st:
            e["00400004"], e["00400005"] = s("DA", st["end"][0]), s("TM", st["end"][1])
        if "perf" in st:
            e["00400006"] = pn(st["perf"])
        if "loc" in st:
            e["00400011"] = s("SH", st["loc"])
        if "protocol" in st:
            e["00400008"] = codes(*st["protocol"])
        sq.append(e)
    j["00400100"] = {"vr": "SQ", "Value": sq}
    if procedure_codes:
        j["00321064"] = codes(*procedure_codes)
    return j


# Fixed far-future items for key-by-key matching (never expire, never in a default window).
FIXED = [
    item("A1", "Müller^Hans", "ACC-A", "Ref^One", "19600101", "M", "Req^One", "ADM-A", "RP-A", "HIGH",
         [dict(mod="MR", aet="MR1", station="MRSTATION1", date="20991201", time="080000", end=("20991201", "090000"),
               perf="Perf^One", loc="ROOM1", id="SPS-A")],
         procedure_codes=[("CMR01", "LOCAL", "Cardiac MR"), ("CMR02", "LOCAL", "Stress perfusion MR")]),
    item("B2", "Smith^Anna", "ACC-B", "Ref^Two", "19750505", "F", "Req^Two", "ADM-B", "RP-B", "ROUTINE",
         [dict(mod="CT", aet="CT1", station="CTSTATION", date="20991201", time="103000", end=("20991201", "110000"),
               perf="Perf^Two", loc="ROOM2", id="SPS-B")],
         procedure_codes=[("CT01", "LOCAL", "CT chest")]),
    item("C3", "Smythe^John", "ACC-C", "Ref^One", "19900101", "M", "Req^One", "ADM-C", "RP-C", "LOW",
         [dict(mod="MR", aet="MR1", station="MRSTATION1", date="20991202", time="090000", loc="ROOM1", id="SPS-C1",
               perf="Perf^One"),
          dict(mod="MR", aet="MR2", station="MRSTATION2", date="20991202", time="150000", loc="ROOM3", id="SPS-C2",
               perf="Perf^Three", protocol=[("CINE", "LOCAL", "Cine SSFP"), ("T1MAP", "LOCAL", "MOLLI T1 map")])]),
]


def rel(hours, sid, aet="MR1", mod="MR"):
    d, t = local(NOW + hours * 3600)
    return item("R" + sid, "Relative^" + sid, "ACC-" + sid, "Ref^Three", "20000101", "O", "Req^Three", "ADM-" + sid,
                "RP-" + sid, "ROUTINE", [dict(mod=mod, aet=aet, date=d, time=t, id=sid)])


# Items around now for a scanner's default window (25 h back, 24 h ahead): G and H are in it for MR1/MR.
RELATIVE = [rel(-1, "G"), rel(3, "H"), rel(30, "I"), rel(-30, "J"), rel(1, "K", aet="MR2"), rel(1, "L", mod="CT")]
EXPIRED = item("D4", "Old^Item", "ACC-D", "Ref^Old", "19500101", "F", "Req^Old", "ADM-D", "RP-D", "LOW",
               [dict(mod="MR", aet="MR1", date="20200101", time="080000", id="SPS-D")])


class Fixture:
    pass


_fixture = None


def fixture():
    global _fixture
    if _fixture:
        return _fixture
    f = Fixture()
    f.tmp = tempdir("worklist")
    f.data = os.path.join(f.tmp, "data")
    f.srv = AtriumServer(f.data).start()
    f.ids = {}
    for it in FIXED + RELATIVE + [EXPIRED]:
        path = os.path.join(f.tmp, "item.json")
        with open(path, "w") as fp:
            json.dump(it, fp)
        p = run([ATRIUM, "worklist", "add", path, "--data", f.data], check_rc=0)
        f.ids[it["00100020"]["Value"][0]] = int(p.stdout.decode().strip())
    _fixture = f
    return f


def step_ids(rsps):
    out = set()
    for r in rsps:
        for st in r.get("ScheduledProcedureStepSequence", []):
            out.add(str(st.ScheduledProcedureStepID))
    return out


def mwl(port, keys):
    """findscu -W; returns the set of Scheduled Procedure Step IDs answered (asserting Success)."""
    base = ["ScheduledProcedureStepSequence[0].ScheduledProcedureStepID", "PatientID"]
    status, rsps = findscu(port, base + keys, root="-W")
    check(status == "Success", f"{keys}: {status}")
    return step_ids(rsps)


def test_add_validation_list_remove():
    f = fixture()
    bad = [
        ("not json", b"{ this is not", "not valid JSON"),
        ("no patient id", {k: v for k, v in FIXED[0].items() if k != "00100020"}, "(0010,0020) PatientID"),
        ("no steps", {k: v for k, v in FIXED[0].items() if k != "00400100"}, "(0040,0100)"),
        ("step without date", item("X", "X^X", "A", "R", "19600101", "M", "R", "A", "R", "LOW",
                                   [dict(mod="MR", aet="MR1", date="", time="080000", id="S")]),
         "(0040,0002) ScheduledProcedureStepStartDate"),
        ("bad date", item("X", "X^X", "A", "R", "1960-01-01", "M", "R", "A", "R", "LOW",
                          [dict(mod="MR", aet="MR1", date="20991201", time="080000", id="S")]),
         "(0010,0030) PatientBirthDate"),
        ("bad vr", {"00100020": {"vr": "XX", "Value": ["1"]}}, "unknown VR"),
        ("bulk data", dict(FIXED[0], **{"7FE00010": {"vr": "OB", "BulkDataURI": "http://x"}}), "BulkDataURI"),
    ]
    path = os.path.join(f.tmp, "bad.json")
    for name, content, want in bad:
        with open(path, "wb") as fp:
            fp.write(content if isinstance(content, bytes) else json.dumps(content).encode())
        p = run([ATRIUM, "worklist", "add", path, "--data", f.data])
        err = p.stderr.decode()
        check(p.returncode == 1 and want in err and err.count("\n") == 1, f"{name}: rc {p.returncode}: {err!r}")
    with open(path, "w") as fp:
        json.dump(FIXED[0], fp)
    p = run([ATRIUM, "worklist", "add", path, "--data", os.path.join(f.tmp, "nowhere")])
    check(p.returncode == 2 and "no Atrium index" in p.stderr.decode(), f"missing data folder: {p.stderr!r}")

    # list: everything added (the expired item is still there until a query or list expires it).
    p = run([ATRIUM, "worklist", "list", "--data", f.data, "--json"], check_rc=0)
    listed = {e["item"]["00100020"]["Value"][0]: e["id"] for e in json.loads(p.stdout)}
    check(listed == f.ids, f"list: {listed} != {f.ids}")
    # remove: gone from the list and from the answers; a second remove fails cleanly.
    extra = os.path.join(f.tmp, "extra.json")
    with open(extra, "w") as fp:
        json.dump(item("Z9", "Zed^Zed", "ACC-Z", "R", "19600101", "M", "R", "A", "R", "LOW",
                       [dict(mod="US", aet="US1", date="20991203", time="080000", id="SPS-Z")]), fp)
    zid = int(run([ATRIUM, "worklist", "add", extra, "--data", f.data], check_rc=0).stdout)
    check(mwl(f.srv.port, ["ScheduledProcedureStepSequence[0].Modality=US"]) == {"SPS-Z"}, "added item not found")
    run([ATRIUM, "worklist", "remove", str(zid), "--data", f.data], check_rc=0)
    check(mwl(f.srv.port, ["ScheduledProcedureStepSequence[0].Modality=US"]) == set(), "removed item still answered")
    p = run([ATRIUM, "worklist", "remove", str(zid), "--data", f.data])
    check(p.returncode == 1 and f"no item {zid}" in p.stderr.decode(), f"second remove: {p.stderr!r}")


def test_every_matching_key():
    f = fixture()
    port = f.srv.port
    sq = "ScheduledProcedureStepSequence[0]."
    cases = [
        (["AccessionNumber=ACC-B"], {"SPS-B"}),
        (["ReferringPhysicianName=Ref^One"], {"SPS-A", "SPS-C1", "SPS-C2"}),
        (["PatientName=Sm*"], {"SPS-B", "SPS-C1", "SPS-C2"}),
        (["PatientName=smith^anna"], {"SPS-B"}),  # case-insensitive person names (the default)
        (["PatientID=B2"], {"SPS-B"}),
        (["PatientBirthDate=19700101-19800101"], {"SPS-B"}),
        (["PatientSex=M"], {"SPS-A", "SPS-C1", "SPS-C2"}),
        (["RequestingPhysician=Req^Two"], {"SPS-B"}),
        (["AdmissionID=ADM-C"], {"SPS-C1", "SPS-C2"}),
        (["RequestedProcedureID=RP-A"], {"SPS-A"}),
        (["RequestedProcedurePriority=HIGH"], {"SPS-A"}),
        ([sq + "Modality=CT", sq + "ScheduledProcedureStepStartDate=20990101-20991231"], {"SPS-B"}),
        ([sq + "ScheduledStationAETitle=MR2"], {"SPS-C2", "K"}),
        ([sq + "ScheduledStationName=MRSTATION1"], {"SPS-A", "SPS-C1"}),
        ([sq + "ScheduledProcedureStepStartDate=20991201"], {"SPS-A", "SPS-B"}),
        ([sq + "ScheduledProcedureStepStartDate=20991202-"], {"SPS-C1", "SPS-C2"}),
        # Both date and time ranges: one date-time range, 1 Dec 10:00 to 2 Dec 10:00.
        ([sq + "ScheduledProcedureStepStartDate=20991201-20991202", sq + "ScheduledProcedureStepStartTime=1000-1000"],
         {"SPS-B", "SPS-C1"}),
        ([sq + "ScheduledProcedureStepStartDate=20991201", sq + "ScheduledProcedureStepStartTime=-0900"], {"SPS-A"}),
        ([sq + "ScheduledProcedureStepEndDate=20991201"], {"SPS-A", "SPS-B"}),
        ([sq + "ScheduledProcedureStepEndTime=0850-0910"], {"SPS-A"}),
        ([sq + "ScheduledPerformingPhysicianName=Perf^One"], {"SPS-A", "SPS-C1"}),
        ([sq + "ScheduledProcedureStepLocation=ROOM1"], {"SPS-A", "SPS-C1"}),
        ([sq + "ScheduledStationAETitle=MR1", "PatientSex=M", sq + "ScheduledProcedureStepStartDate=20990101-"],
         {"SPS-A", "SPS-C1"}),
        (["PatientID=nobody"], set()),
        # Keys inside other sequences (PS3.4 C.2.2.2.6): some item must match every key given.
        (["RequestedProcedureCodeSequence[0].CodeValue=CMR02"], {"SPS-A"}),
        (["RequestedProcedureCodeSequence[0].CodeMeaning=*CT*"], {"SPS-B"}),
        (["RequestedProcedureCodeSequence[0].CodeValue=CMR01",
          "RequestedProcedureCodeSequence[0].CodingSchemeDesignator=SCT"], set()),
        ([sq + "ScheduledProtocolCodeSequence[0].CodeValue=T1MAP"], {"SPS-C2"}),
        ([sq + "ScheduledProtocolCodeSequence[0].CodeValue=T1MAP", sq + "ScheduledStationAETitle=MR1"], set()),
    ]
    for keys, want in cases:
        got = mwl(port, keys)
        check(got == want, f"{keys}: {sorted(got)} != {sorted(want)}")

    # Every returned key carries the item's value; one step per response; UTF-8 declared.
    keys = ["PatientName", "PatientID", "PatientBirthDate", "PatientSex", "AccessionNumber", "ReferringPhysicianName",
            "RequestingPhysician", "AdmissionID", "RequestedProcedureID", "RequestedProcedurePriority",
            "RequestedProcedureDescription", "StudyInstanceUID", "PatientWeight",
            "ScheduledProcedureStepSequence[0].Modality", "ScheduledProcedureStepSequence[0].ScheduledStationAETitle",
            "ScheduledProcedureStepSequence[0].ScheduledStationName",
            "ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate",
            "ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartTime",
            "ScheduledProcedureStepSequence[0].ScheduledProcedureStepEndDate",
            "ScheduledProcedureStepSequence[0].ScheduledProcedureStepEndTime",
            "ScheduledProcedureStepSequence[0].ScheduledPerformingPhysicianName",
            "ScheduledProcedureStepSequence[0].ScheduledProcedureStepLocation",
            "ScheduledProcedureStepSequence[0].ScheduledProcedureStepID=SPS-A"]
    status, rsps = findscu(port, keys, root="-W")
    check(status == "Success" and len(rsps) == 1, f"full response: {status}, {len(rsps)}")
    r = rsps[0]
    check(r.SpecificCharacterSet == "ISO_IR 192", f"charset {r.SpecificCharacterSet}")
    want = {"PatientName": "Müller^Hans", "PatientID": "A1", "PatientBirthDate": "19600101", "PatientSex": "M",
            "AccessionNumber": "ACC-A", "ReferringPhysicianName": "Ref^One", "RequestingPhysician": "Req^One",
            "AdmissionID": "ADM-A", "RequestedProcedureID": "RP-A", "RequestedProcedurePriority": "HIGH",
            "RequestedProcedureDescription": "Procedure RP-A", "PatientWeight": ""}
    for k, v in want.items():
        check(str(r.get(k, "<absent>") if r.get(k) is not None else "") == v, f"{k}: {r.get(k)!r} != {v!r}")
    check(len(r.ScheduledProcedureStepSequence) == 1, "one step per response")
    st = r.ScheduledProcedureStepSequence[0]
    want_step = {"Modality": "MR", "ScheduledStationAETitle": "MR1", "ScheduledStationName": "MRSTATION1",
                 "ScheduledProcedureStepStartDate": "20991201", "ScheduledProcedureStepStartTime": "080000",
                 "ScheduledProcedureStepEndDate": "20991201", "ScheduledProcedureStepEndTime": "090000",
                 "ScheduledPerformingPhysicianName": "Perf^One", "ScheduledProcedureStepLocation": "ROOM1",
                 "ScheduledProcedureStepID": "SPS-A"}
    for k, v in want_step.items():
        check(str(st.get(k)) == v, f"step {k}: {st.get(k)!r} != {v!r}")
    check("ScheduledProcedureStepDescription" not in st, "a key that was not asked for was returned")
    # An item with two steps answers once per matching step, with that step only.
    status, rsps = findscu(port, ["PatientID=C3", "ScheduledProcedureStepSequence"], root="-W")
    got = sorted((str(x.ScheduledProcedureStepSequence[0].ScheduledProcedureStepID),
                  len(x.ScheduledProcedureStepSequence)) for x in rsps)
    check(got == [("SPS-C1", 1), ("SPS-C2", 1)], f"two steps: {got}")
    # Expired (steps over years ago): never answered, and gone from the list afterwards.
    check(mwl(port, ["PatientID=D4"]) == set(), "expired item answered")
    p = run([ATRIUM, "worklist", "list", "--data", f.data, "--json"], check_rc=0)
    check("D4" not in {e["item"]["00100020"]["Value"][0] for e in json.loads(p.stdout)}, "expired item still listed")


def test_cancel():
    f = fixture()
    a = RawAssociation(f.srv.port, contexts=[(1, MWL_FIND, [IMPLICIT_LE])])
    ident = Dataset()
    ident.PatientID = ""
    step = Dataset()
    step.ScheduledProcedureStepID = ""
    ident.ScheduledProcedureStepSequence = [step]
    a.send_raw(p_data(1, c_find_rq(MWL_FIND, 9), True) + p_data(1, dataset_bytes(ident), False) +
               p_data(1, c_cancel_rq(9), True))
    pending, st = read_until_final(a)
    a.release()
    check(st == 0xFE00, f"C-CANCEL: final status {st:#06x}")
    check(pending < 9, f"{pending} pending responses despite the cancel")


class Wlmscpfs:
    """DCMTK's wlmscpfs serving .wl files made from the same JSON items."""

    def __init__(self, items, tmp, aet="WLMSCP"):
        self.dir = os.path.join(tmp, "wlm")
        ae_dir = os.path.join(self.dir, aet)
        os.makedirs(ae_dir, exist_ok=True)
        open(os.path.join(ae_dir, "lockfile"), "w").close()
        # wlmscpfs takes one step per file (it rejects files with more): one file per step, which
        # answers the same as Atrium's one response per step.
        n = 0
        for it in items:
            for step in it["00400100"]["Value"]:
                ds = Dataset.from_json(dict(it, **{"00400100": {"vr": "SQ", "Value": [step]}}))
                ds.SpecificCharacterSet = "ISO_IR 192"
                ds.is_little_endian, ds.is_implicit_VR = True, False
                ds.save_as(os.path.join(ae_dir, f"item{n}.wl"), write_like_original=True)
                n += 1
        self.port = free_port()
        self.aet = aet

    def __enter__(self):
        self.log = open(os.path.join(self.dir, "wlmscpfs.log"), "wb")
        self.proc = subprocess.Popen(["wlmscpfs", "-s", "-csk", "-dfp", self.dir, str(self.port)],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.proc)
        return self

    def __exit__(self, *exc):
        os.kill(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.log.close()


def atrium_query(port, called, *args):
    p = run([ATRIUM, "worklist", "query", f"127.0.0.1:{port}", "--called", called, "--json"] + list(args))
    check(p.returncode == 0, f"worklist query {args} against {called}: rc {p.returncode}: {p.stderr.decode()}")
    return {r["00400100"]["Value"][0]["00400009"]["Value"][0] for r in json.loads(p.stdout)}


def test_worklist_query_scu():
    f = fixture()
    with Wlmscpfs(FIXED + RELATIVE, f.tmp) as wlm:
        cases = [
            (["--aet", "MR1", "--modality", "MR"], {"G", "H"}),  # the scanner's default window
            (["--aet", "MR2", "--modality", "MR"], {"K"}),
            (["--aet", "MR1", "--any-date", "--modality", "MR"], {"SPS-A", "SPS-C1", "G", "H", "I", "J"}),
            (["--any-station", "--date", "20991201"], {"SPS-A", "SPS-B"}),
            (["--any-station", "--any-date", "-k", "PatientName=Smythe*"], {"SPS-C1", "SPS-C2"}),
            (["--any-station", "--any-date", "-k", "AccessionNumber=ACC-B"], {"SPS-B"}),
        ]
        for args, want in cases:
            got_wlm = atrium_query(wlm.port, wlm.aet, *args)
            got_atrium = atrium_query(f.srv.port, "ATRIUM", *args)
            check(got_wlm == want, f"wlmscpfs {args}: {sorted(got_wlm)} != {sorted(want)}")
            check(got_atrium == want, f"atrium {args}: {sorted(got_atrium)} != {sorted(want)}")
        # Text output and the values of one answer, through wlmscpfs.
        p = run([ATRIUM, "worklist", "query", f"127.0.0.1:{wlm.port}", "--called", wlm.aet, "--any-station",
                 "--any-date", "-k", "PatientID=A1"], check_rc=0)
        out = p.stdout.decode()
        check("PatientName=Müller^Hans" in out and "ScheduledProcedureStepID=SPS-A" in out, f"text output: {out!r}")
    # Nobody listening: exit 3, one line.
    p = run([ATRIUM, "worklist", "query", f"127.0.0.1:{free_port()}", "--timeout", "5"])
    check(p.returncode == 3 and p.stderr.decode().count("\n") == 1, f"unreachable: {p.returncode} {p.stderr!r}")


if __name__ == "__main__":
    try:
        main([test_add_validation_list_remove, test_every_matching_key, test_cancel, test_worklist_query_scu])
    finally:
        if _fixture:
            _fixture.srv.stop()
            cleanup(_fixture.tmp)
