"""Names in every specific character set of the corpus (Latin-1, Greek, Cyrillic, Arabic, Hebrew,
Japanese ISO 2022 IR 13/87, Korean IR 149, GB18030, UTF-8) are indexed decoded to UTF-8 exactly as
pydicom, an independent decoder, reads them."""
import glob
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import PYDICOM_DATA, AtriumServer, check, cleanup, dataset_uid, main, run, tempdir  # noqa: E402


def test_indexed_names_match_pydicom():
    sys.path.insert(0, "/usr/lib/python3/dist-packages")
    import pydicom
    work = tempdir("charset")
    try:
        files = sorted(glob.glob(os.path.join(PYDICOM_DATA, "charset_files", "*.dcm")))
        with AtriumServer(os.path.join(work, "data")) as srv:
            run(["dcmsend", "-aec", "ATRIUM", "-nh", "127.0.0.1", str(srv.port)] + files, timeout=120)
            with srv.db() as c:
                names = dict(c.execute(
                    "SELECT i.sop_uid, p.name FROM instances i JOIN series se ON se.pk=i.series_pk "
                    "JOIN studies st ON st.pk=se.study_pk JOIN patients p ON p.pk=st.patient_pk").fetchall())
        checked = 0
        for f in files:
            ds = pydicom.dcmread(f)
            if "PatientName" not in ds or not str(ds.PatientName):
                continue
            uid = dataset_uid(f)
            check(uid in names, f"{os.path.basename(f)} not indexed")
            expected = str(ds.PatientName).rstrip("=^ ")
            if names[uid] != expected:
                # files sharing a SOP Instance UID: the first stored one is indexed
                twins = [g for g in files if dataset_uid(g) == uid]
                check(any(str(pydicom.dcmread(g).PatientName).rstrip("=^ ") == names[uid] for g in twins),
                      f"{os.path.basename(f)}: indexed {names[uid]!r}, pydicom reads {expected!r}")
            checked += 1
        check(checked >= 14, f"only {checked} names checked")
        japanese = [names[dataset_uid(os.path.join(PYDICOM_DATA, "charset_files", n))] for n in ("chrH31.dcm",
                                                                                                   "chrH32.dcm")]
        check("山田^太郎" in japanese[0] and "ﾔﾏﾀﾞ" in japanese[1], f"Japanese names: {japanese}")
        print(f"  {checked} names match pydicom")
    finally:
        cleanup(work)


if __name__ == "__main__":
    main([test_indexed_names_match_pydicom])
