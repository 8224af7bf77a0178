"""Complete return keys: every top-level, non-private, non-bulk attribute a stored file holds comes
back from C-FIND (DCMTK findscu) and QIDO-RS when asked for, at IMAGE level from the instance and at
SERIES/STUDY level from the level's first instance, compared with pydicom's reading of the stored
file; matching stays on the typed columns (an unindexed key matches universally)."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import AtriumServer, check, cleanup, findscu, main, run, tempdir  # noqa: E402

sys.path.insert(0, "/usr/lib/python3/dist-packages")
import pydicom  # noqa: E402
from pydicom.multival import MultiValue  # noqa: E402


def dictionary_vr(tag):
    from pydicom.datadict import dictionary_VR
    try:
        return dictionary_VR(tag)
    except KeyError:
        return ""

FILES = ["/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm",
         "/usr/lib/python3/dist-packages/pydicom/data/test_files/MR_small.dcm",
         "/usr/lib/python3/dist-packages/pydicom/data/charset_files/chrFren.dcm"]
SKIP_VR = {"SQ", "OB", "OW", "OF", "OD", "OL", "OV", "UN"}


def text(value, vr):
    """A pydicom value as the DICOM string findscu/QIDO give back (trimmed, '\\'-joined)."""
    vals = list(value) if isinstance(value, MultiValue) else [value]
    out = []
    for v in vals:
        if vr in ("DS", "FL", "FD"):
            out.append(float(v))
        elif vr in ("IS", "US", "SS", "UL", "SL"):
            out.append(int(v))
        elif vr == "PN":
            out.append(str(v).rstrip("^= "))  # trailing delimiters are insignificant
        else:
            out.append(str(v).strip())
    return out


def keys_of(ds):
    """The attributes a return key can ask for: top level, not private, not bulk, not too long."""
    return [e for e in ds if not e.tag.is_private and e.tag.group not in (0x0002, 0x7FE0) and e.tag.element != 0
            and e.tag != 0x00080005  # the answer's own character set
            and " or " not in dictionary_vr(e.tag)  # "US or SS": findscu cannot ask for it
            and e.VR not in SKIP_VR and e.value is not None and str(e.value).strip() not in ("", "b''")
            and len(str(e.value)) <= 512]


def test_every_return_key_against_the_stored_file():
    work = tempdir("return-keys")
    try:
        with AtriumServer(os.path.join(work, "data"), http=True, extra_args=["--no-auth"]) as srv:
            run(["storescu", "-aec", "ATRIUM", "127.0.0.1", str(srv.port), *FILES], check_rc=0)
            compared = 0
            for path, (stored_path, *_rest) in srv.instances().items():
                stored = pydicom.dcmread(stored_path, stop_before_pixels=True)
                wanted = keys_of(stored)
                keys = ["QueryRetrieveLevel=IMAGE", f"SOPInstanceUID={stored.SOPInstanceUID}",
                        f"StudyInstanceUID={stored.StudyInstanceUID}", f"SeriesInstanceUID={stored.SeriesInstanceUID}"]
                keys += [f"{e.tag.group:04X},{e.tag.element:04X}" for e in wanted
                         if e.keyword not in ("SOPInstanceUID", "StudyInstanceUID", "SeriesInstanceUID")]
                status, rsps = findscu(srv.port, keys)
                check(status == "Success" and len(rsps) == 1, (status, len(rsps)))
                r = rsps[0]
                for e in wanted:
                    if text(e.value, e.VR) in ([""], []):
                        continue  # "^^^^": an empty name
                    got = r.get(e.tag)
                    check(got is not None and got.value not in (None, ""), f"{e.keyword} {e.tag} came back empty")
                    check(text(got.value, e.VR) == text(e.value, e.VR),
                          f"{os.path.basename(stored_path)} {e.keyword}: {got.value!r} != {e.value!r}")
                    compared += 1
            print(f"{compared} return keys compared")
            check(compared > 100, compared)
            # STUDY level: from the study's first instance (CT_small's Study Date, Manufacturer...).
            ct = pydicom.dcmread(FILES[0], stop_before_pixels=True)
            status, rsps = findscu(srv.port, ["QueryRetrieveLevel=STUDY", f"StudyInstanceUID={ct.StudyInstanceUID}",
                                              "Manufacturer", "PatientBirthDate", "InstitutionName", "KVP"])
            check(status == "Success" and rsps[0].Manufacturer == ct.Manufacturer and
                  rsps[0].InstitutionName == ct.InstitutionName and float(rsps[0].KVP) == float(ct.KVP), rsps)
            # An unindexed key given a value still matches universally (typed columns only).
            status, rsps = findscu(srv.port, ["QueryRetrieveLevel=STUDY", "StudyInstanceUID", "Manufacturer=NOBODY"])
            check(status == "Success" and len(rsps) == 3, len(rsps))
            # QIDO-RS: includefield by tag.
            st, body, _ = srv.http("GET", f"/dicom-web/studies/{ct.StudyInstanceUID}/instances?includefield=00180060"
                                          "&includefield=00080070&includefield=00280100")
            check(st == 200 and body[0]["00180060"]["Value"][0] in (ct.KVP, float(ct.KVP), str(ct.KVP)) and
                  body[0]["00080070"]["Value"] == [ct.Manufacturer] and body[0]["00280100"]["Value"][0] == 16,
                  body[0] if st == 200 else st)
            # Person names decoded from the file's character set (chrFren: ISO_IR 100).
            fren = pydicom.dcmread(FILES[2], stop_before_pixels=True)
            status, rsps = findscu(srv.port, ["QueryRetrieveLevel=IMAGE", f"StudyInstanceUID={fren.StudyInstanceUID}",
                                              "SeriesInstanceUID", "SOPInstanceUID", "PatientName",
                                              "SpecificCharacterSet=ISO_IR 192"])
            check(str(rsps[0].PatientName) == str(fren.PatientName), rsps[0].PatientName)
    finally:
        cleanup(work)


if __name__ == "__main__":
    main([test_every_return_key_against_the_stored_file])
