"""What modalities send that is not a plain image: video (MPEG-2, H.264, HEVC transfer syntaxes) is
accepted from DCMTK's storescu and Atrium's send, stored byte-identical and served as stored over
WADO-RS; asking for a rendered frame or an uncompressed frame of it gets a clear 406. Data sets
without a Part 10 header (implicit and explicit VR) are imported and sent. Private storage classes
(DCMTK's own under the OFFIS root, Siemens CSA Non-Image, and any the config names) are stored and
retrieved like any other; one that is neither known nor configured is refused."""
import io
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import ATRIUM, AtriumServer, check, cleanup, main, run, split_part10, tempdir  # noqa: E402

sys.path.insert(0, "/usr/lib/python3/dist-packages")
import pydicom  # noqa: E402
from pydicom.dataset import Dataset, FileMetaDataset  # noqa: E402
from pydicom.encaps import encapsulate  # noqa: E402

VIDEO_ENDOSCOPIC = "1.2.840.10008.5.1.4.1.1.77.1.1.1"
VIDEO_TS = {"h264": "1.2.840.10008.1.2.4.102", "mpeg2": "1.2.840.10008.1.2.4.100", "hevc": "1.2.840.10008.1.2.4.107"}
ROOT = "1.2.826.0.1.3680043.9.7777.19"
CT = "/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm"
MR = "/usr/lib/python3/dist-packages/pydicom/data/test_files/MR_small.dcm"


def video_file(path, sop, ts):
    ds = Dataset()
    ds.SOPClassUID, ds.SOPInstanceUID = VIDEO_ENDOSCOPIC, sop
    ds.StudyInstanceUID, ds.SeriesInstanceUID = ROOT + ".1", ROOT + ".2"
    ds.PatientName, ds.PatientID, ds.Modality = "Video^Patient", "VID-1", "ES"
    ds.Rows, ds.Columns, ds.NumberOfFrames, ds.FrameTime = 480, 640, 30, 33.3
    ds.FrameIncrementPointer = 0x00181063
    ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PlanarConfiguration = 3, "YBR_PARTIAL_420", 0
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    # The stream's bytes are opaque to the archive: a start code and filler stand for them.
    stream = b"\x00\x00\x00\x01\x67" + bytes((i * 37) % 256 for i in range(20000))
    ds.PixelData = encapsulate([stream])
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    fm = FileMetaDataset()
    fm.MediaStorageSOPClassUID, fm.MediaStorageSOPInstanceUID = VIDEO_ENDOSCOPIC, sop
    fm.TransferSyntaxUID = ts
    ds.file_meta = fm
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.save_as(path, write_like_original=False)
    return path


def test_video_stored_and_served_as_it_came():
    work = tempdir("video")
    try:
        files = {k: video_file(os.path.join(work, f"{k}.dcm"), f"{ROOT}.3.{i}", ts)
                 for i, (k, ts) in enumerate(VIDEO_TS.items())}
        with AtriumServer(os.path.join(work, "data"), http=True, extra_args=["--no-auth"]) as srv:
            # DCMTK's storescu proposing the video syntaxes (-xn H.264, -xm MPEG-2).
            for opt, k in (("-xn", "h264"), ("-xm", "mpeg2")):
                r = run(["storescu", "-R", opt, "-aec", "ATRIUM", "127.0.0.1", str(srv.port), files[k]])
                check(r.returncode == 0, r.stderr.decode())
            r = run([ATRIUM, "send", f"127.0.0.1:{srv.port}", "--called", "ATRIUM", files["hevc"]])
            check(r.returncode == 0, r.stderr.decode())
            inst = srv.instances()
            for k, p in files.items():
                sop = str(pydicom.dcmread(p, stop_before_pixels=True).SOPInstanceUID)
                check(sop in inst and inst[sop][3] == VIDEO_TS[k], f"{k}: stored in {inst.get(sop)}")
                check(split_part10(inst[sop][0])[2] == split_part10(p)[2], f"{k}: data set stored byte-identical")
            sop = str(pydicom.dcmread(files["h264"], stop_before_pixels=True).SOPInstanceUID)
            base = f"/dicom-web/studies/{ROOT}.1/series/{ROOT}.2/instances/{sop}"
            st, body, h = srv.http("GET", base, raw=True,
                                   headers={"Accept": 'multipart/related; type="application/dicom"; transfer-syntax=*'})
            check(st == 200 and split_part10(files["h264"])[2] in body, f"WADO-RS as stored: {st}")
            st, body, _ = srv.http("GET", base + "/frames/1/rendered", headers={"Accept": "image/png"})
            check(st == 406 and "video" in body["error"] and "no video decoder" in body["error"], (st, body))
            st, body, _ = srv.http("GET", base + "/frames/1", headers={"Accept": "application/octet-stream"})
            check(st == 406 and "transfer-syntax=*" in body["error"], (st, body))
            st, body, _ = srv.http("GET", f"/wado?requestType=WADO&studyUID={ROOT}.1&seriesUID={ROOT}.2&objectUID={sop}"
                                   "&contentType=application/dicom&transferSyntax=" + VIDEO_TS["h264"], raw=True)
            check(st == 200 and body == open(inst[sop][0], "rb").read(), f"WADO-URI as stored: {st}")
            check(srv.alive(), "the archive is still up")
    finally:
        cleanup(work)


def test_headerless_data_sets_are_imported_and_sent():
    work = tempdir("headerless")
    try:
        raw = {"implicit": os.path.join(work, "ct.raw"), "explicit": os.path.join(work, "mr.raw")}
        run(["dcmconv", "-F", "+ti", CT, raw["implicit"]], check_rc=0)
        run(["dcmconv", "-F", "+te", MR, raw["explicit"]], check_rc=0)
        check(open(raw["implicit"], "rb").read()[128:132] != b"DICM", "no Part 10 header")
        data = os.path.join(work, "data")
        with AtriumServer(data):
            pass
        with open(os.path.join(work, "notes.txt"), "w") as f:
            f.write("not a data set\n")
        r = run([ATRIUM, "import", "--data", data, raw["implicit"], raw["explicit"], os.path.join(work, "notes.txt"),
                 "--json"])
        rep = json.loads(r.stdout)
        check(r.returncode == 0 and rep["stored"] == 2 and rep["headerless"] == 2 and rep["skipped"] == 1, rep)
        with AtriumServer(data) as srv:
            inst = srv.instances()
            for src, ts in ((CT, "1.2.840.10008.1.2"), (MR, "1.2.840.10008.1.2.1")):
                orig = pydicom.dcmread(src)
                stored = pydicom.dcmread(inst[str(orig.SOPInstanceUID)][0])
                check(inst[str(orig.SOPInstanceUID)][3] == ts and stored.file_meta.TransferSyntaxUID == ts,
                      f"kept in {ts}")
                check(stored.PixelData == orig.PixelData and str(stored.PatientName) == str(orig.PatientName),
                      "the same data set")
        # Sent by `atrium send` to another archive.
        with AtriumServer(os.path.join(work, "other")) as other:
            r = run([ATRIUM, "send", f"127.0.0.1:{other.port}", "--called", "ATRIUM", *raw.values()])
            check(r.returncode == 0 and b"sent 2, failed 0" in r.stderr, r.stderr)
            check(len(other.instances()) == 2, "both arrived")
    finally:
        cleanup(work)


OFFIS_DCMPSTAT_LOG = "1.2.276.0.7230010.3.4.1915765545.18030.917282194.2"
OFFIS_GENERIC_FILE = "1.2.276.0.7230010.3.1.0.1"
SIEMENS_CSA_NON_IMAGE = "1.3.12.2.1107.5.9.1"
SITE_PRIVATE = ROOT + ".99.1"


def private_file(path, sop_class, n):
    ds = Dataset()
    ds.SOPClassUID, ds.SOPInstanceUID = sop_class, f"{ROOT}.5.{n}"
    ds.StudyInstanceUID, ds.SeriesInstanceUID = ROOT + ".4", f"{ROOT}.4.{n}"
    ds.PatientName, ds.PatientID, ds.Modality = "Private^Classes", "PRIV-1", "OT"
    ds.add_new(0x00291010, "OB", bytes(range(256)) * 4)  # an opaque private payload
    fm = FileMetaDataset()
    fm.MediaStorageSOPClassUID, fm.MediaStorageSOPInstanceUID = sop_class, ds.SOPInstanceUID
    fm.TransferSyntaxUID = "1.2.840.10008.1.2.1"
    ds.file_meta = fm
    ds.save_as(path, write_like_original=False)
    return path


def test_private_storage_classes():
    work = tempdir("private")
    try:
        files = {uid: private_file(os.path.join(work, f"{n}.dcm"), uid, n) for n, uid in
                 enumerate((OFFIS_DCMPSTAT_LOG, OFFIS_GENERIC_FILE, SIEMENS_CSA_NON_IMAGE, SITE_PRIVATE))}
        # Not configured: the site's own private class is refused (the send fails), the others stored.
        with AtriumServer(os.path.join(work, "plain")) as srv:
            r = run([ATRIUM, "send", f"127.0.0.1:{srv.port}", "--called", "ATRIUM", files[SITE_PRIVATE]])
            check(r.returncode != 0 and len(srv.instances()) == 0, f"unconfigured class: {r.returncode} {r.stderr}")
        # A malformed UID in the configuration: exit 2 (as every start-up error of serve), one line naming it.
        srv = AtriumServer(os.path.join(work, "bad"), config={"private_storage_sop_classes": ["1.2.x"]})
        r = run([ATRIUM, "serve", "--data", os.path.join(work, "bad"), "--config", write_config(work, srv.config)])
        err = r.stderr.decode()
        check(r.returncode == 2 and "'1.2.x' is not a UID" in err and err.count("\n") == 1, f"bad config: {err!r}")
        with AtriumServer(os.path.join(work, "data"), config={"private_storage_sop_classes": [SITE_PRIVATE]}) as srv:
            # DCMTK's dcmsend proposes each file's own class (its storescu refuses classes it does not know).
            r = run(["dcmsend", "-nuc", "-aec", "ATRIUM", "127.0.0.1", str(srv.port), files[OFFIS_DCMPSTAT_LOG],
                     files[OFFIS_GENERIC_FILE]])
            check(r.returncode == 0, r.stderr.decode())
            r = run([ATRIUM, "send", f"127.0.0.1:{srv.port}", "--called", "ATRIUM", files[SIEMENS_CSA_NON_IMAGE],
                     files[SITE_PRIVATE]])
            check(r.returncode == 0 and b"sent 2, failed 0" in r.stderr, r.stderr)
            inst = srv.instances()
            for uid, p in files.items():
                sop = str(pydicom.dcmread(p).SOPInstanceUID)
                check(sop in inst and split_part10(inst[sop][0])[2] == split_part10(p)[2],
                      f"{uid}: stored byte-identical ({inst.get(sop)})")
            # Retrieved by C-GET like any object where the requester proposes the class: `atrium get`
            # proposes the known private classes, not a site's own (that sub-operation fails, named).
            out = os.path.join(work, "got")
            r = run([ATRIUM, "get", f"127.0.0.1:{srv.port}", "--called", "ATRIUM", "--out", out, "-k",
                     f"StudyInstanceUID={ROOT}.4"])
            got = sorted(str(pydicom.dcmread(os.path.join(out, f)).SOPClassUID) for f in os.listdir(out))
            want = sorted(u for u in files if u != SITE_PRIVATE)
            check(r.returncode == 1 and got == want and b"3 completed, 1 failed" in r.stderr,
                  f"C-GET: rc {r.returncode} {got} {r.stderr}")
    finally:
        cleanup(work)


def write_config(work, cfg):
    path = os.path.join(work, "bad-config.json")
    with open(path, "w") as f:
        json.dump(cfg, f)
    return path


if __name__ == "__main__":
    main([test_video_stored_and_served_as_it_came, test_headerless_data_sets_are_imported_and_sent,
          test_private_storage_classes])
