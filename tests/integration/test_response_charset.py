"""C-FIND and worklist answers in the requester's character set (PS3.4 C.4.1.1.3.1): DCMTK's findscu
asks in ISO_IR 100, GB18030, ISO 2022 IR 87 (Japanese) and ISO 2022 IR 149 (Korean) and reads back
the right names; a value the set cannot hold leaves that answer in UTF-8; a query without a Specific
Character Set gets none back when every value is ASCII. QIDO stays UTF-8."""
import glob
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import ATRIUM, AtriumServer, check, cleanup, main, run, tempdir  # noqa: E402

sys.path.insert(0, "/usr/lib/python3/dist-packages")
import pydicom  # noqa: E402

CHARSETS = "/usr/lib/python3/dist-packages/pydicom/data/charset_files"
STORED = ["chrFren.dcm", "chrH31.dcm", "chrX2.dcm", "chrKoreanMulti.dcm", "chrRuss.dcm"]


def find(port, charset, root="-S", keys=("QueryRetrieveLevel=STUDY", "PatientName", "PatientID")):
    """{PatientID: (raw Specific Character Set, decoded name, raw name bytes)} of the answers."""
    out = tempdir("rsp")
    try:
        args = ["findscu", root, "-aec", "ATRIUM", "-X", "-od", out, "-k", f"SpecificCharacterSet={charset}"]
        for k in keys:
            args += ["-k", k]
        subprocess.run(args + ["127.0.0.1", str(port)], capture_output=True, timeout=60, check=True)
        answers = {}
        for f in sorted(glob.glob(os.path.join(out, "rsp*.dcm"))):
            raw = pydicom.dcmread(f)
            raw_name = bytes(raw.get_item("PatientName").value).rstrip(b" \x00")  # without the padding
            cs = raw.get("SpecificCharacterSet", "")
            answers[str(raw.PatientID)] = (cs if isinstance(cs, str) else "\\".join(cs), str(raw.PatientName), raw_name)
        return answers
    finally:
        cleanup(out)


def original(name):
    ds = pydicom.dcmread(os.path.join(CHARSETS, name))
    return str(ds.PatientID), str(ds.PatientName)


def test_find_answers_in_the_query_character_set():
    work = tempdir("charset")
    try:
        with AtriumServer(os.path.join(work, "data")) as srv:
            run(["storescu", "-aec", "ATRIUM", "127.0.0.1", str(srv.port)] + [os.path.join(CHARSETS, f) for f in STORED],
                check_rc=0)
            names = dict(original(f) for f in STORED)
            fren, jap, chinese, korean, russian = (original(f)[0] for f in STORED)
            latin1 = find(srv.port, "ISO_IR 100")
            check(latin1[fren][0] == "ISO_IR 100" and latin1[fren][1] == names[fren], latin1[fren])
            check(latin1[fren][2] == names[fren].encode("latin-1"), "Latin-1 bytes on the wire")
            check(all(latin1[p][0] == "ISO_IR 192" and latin1[p][1] == names[p] for p in (jap, chinese, korean, russian)),
                  "what Latin-1 cannot hold stays UTF-8")
            gb = find(srv.port, "GB18030")
            check(all(gb[p][0] == "GB18030" and gb[p][1] == names[p] for p in names), gb)
            check(gb[chinese][2] == names[chinese].encode("gb18030"), "GB18030 bytes on the wire")
            cyr = find(srv.port, "ISO_IR 144")
            check(cyr[russian][0] == "ISO_IR 144" and cyr[russian][1] == names[russian], cyr[russian])
            jp = find(srv.port, "\\ISO 2022 IR 87")
            check(jp[jap][0] == "\\ISO 2022 IR 87" and jp[jap][1] == names[jap], jp[jap])
            check(b"\x1b$B" in jp[jap][2] and b"\x1b(B" in jp[jap][2], f"escape sequences: {jp[jap][2]!r}")
            ko = find(srv.port, "\\ISO 2022 IR 149")
            check(ko[korean][0] == "\\ISO 2022 IR 149" and ko[korean][1] == names[korean], ko[korean])
            check(b"\x1b$)C" in ko[korean][2], ko[korean][2])
            check(ko[fren][0] == "ISO_IR 192", "é is not in KS X 1001: UTF-8")
            # A query in the default repertoire: an ASCII-only answer carries no character set.
            plain = find(srv.port, "", keys=("QueryRetrieveLevel=STUDY", "PatientID", "PatientName=Buc*"))
            check(plain[fren][0] == "ISO_IR 192", "a name with é is UTF-8 even then")
    finally:
        cleanup(work)


def test_worklist_answers_in_the_query_character_set():
    work = tempdir("charset-mwl")
    try:
        with AtriumServer(os.path.join(work, "data")) as srv:
            for pid, name in [("MWL-1", "Müller^Jürgen"), ("MWL-2", "王^小东"), ("MWL-3", "Smith^Anna")]:
                item = {"00100020": {"vr": "LO", "Value": [pid]},
                        "00100010": {"vr": "PN", "Value": [{"Alphabetic": name}]},
                        "00400100": {"vr": "SQ", "Value": [{
                            "00080060": {"vr": "CS", "Value": ["MR"]}, "00400001": {"vr": "AE", "Value": ["MR1"]},
                            "00400002": {"vr": "DA", "Value": ["20991201"]},
                            "00400003": {"vr": "TM", "Value": ["080000"]},
                            "00400009": {"vr": "SH", "Value": [f"SPS-{pid}"]}}]}}
                path = os.path.join(work, f"{pid}.json")
                with open(path, "w") as f:
                    json.dump(item, f)
                run([ATRIUM, "worklist", "add", path, "--data", srv.data_dir], check_rc=0)
            keys = ("PatientName", "PatientID", "ScheduledProcedureStepSequence[0].Modality=MR")
            latin1 = find(srv.port, "ISO_IR 100", root="-W", keys=keys)
            check(latin1["MWL-1"] == ("ISO_IR 100", "Müller^Jürgen", "Müller^Jürgen".encode("latin-1")), latin1["MWL-1"])
            check(latin1["MWL-2"][0] == "ISO_IR 192" and latin1["MWL-2"][1] == "王^小东", latin1["MWL-2"])
            gb = find(srv.port, "GB18030", root="-W", keys=keys)
            check(all(gb[p][0] == "GB18030" for p in gb) and gb["MWL-2"][1] == "王^小东"
                  and gb["MWL-1"][1] == "Müller^Jürgen", gb)
            plain = find(srv.port, "", root="-W", keys=("PatientName", "PatientID=MWL-3",
                                                        "ScheduledProcedureStepSequence[0].Modality=MR"))
            check(plain["MWL-3"][0] == "", f"ASCII answer to a default-repertoire query: {plain}")
    finally:
        cleanup(work)


if __name__ == "__main__":
    main([test_find_answers_in_the_query_character_set, test_worklist_answers_in_the_query_character_set])
