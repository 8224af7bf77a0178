"""DICOMweb and WADO-URI with exact expected results:
  - STOW-RS of a corpus (uncompressed, JPEG baseline/extended, JPEG-LS, RLE, JPEG 2000, a
    multi-frame image), then QIDO-RS at every level against what pydicom reads from the files;
  - WADO-RS: the stored bytes with transfer-syntax=*, Explicit VR LE by default with the pixel data
    DCMTK's own decoders produce; metadata with bulk data URIs; frames; rendered PNG compared pixel
    for pixel with DCMTK dcm2pnm at the same window; WADO-URI;
  - a DICOMweb client no one here wrote (Orthanc's DICOMweb plugin) stores, searches and retrieves;
  - bad input: viewer storing, wrong media types, malformed multipart, another study's instance,
    unknown UIDs, bodies over the limit, bad parameters — each its 4xx, and the server keeps serving."""
import io
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import (PYDICOM_DATA, AtriumServer, Orthanc, check, cleanup, main, run,  # noqa: E402
                            tempdir)

sys.path.insert(0, "/usr/lib/python3/dist-packages")
import pydicom  # noqa: E402
from PIL import Image  # noqa: E402
from pydicom.dataset import Dataset, FileMetaDataset  # noqa: E402
from pydicom.uid import ExplicitVRLittleEndian, generate_uid  # noqa: E402

ADMIN = ("admin", "adm-pw")
VIEWER = ("viewer", "view-pw")
EXPLICIT = "1.2.840.10008.1.2.1"
DICOM_ANY = {"Accept": 'multipart/related; type="application/dicom"; transfer-syntax=*'}


def multipart(parts, boundary="test-boundary-1234", content_type="application/dicom"):
    body = b""
    for p in parts:
        body += b"--" + boundary.encode() + b"\r\nContent-Type: " + content_type.encode() + b"\r\n\r\n" + p + b"\r\n"
    return body + b"--" + boundary.encode() + b"--\r\n", \
        f'multipart/related; type="application/dicom"; boundary={boundary}'


def split_multipart(body, content_type):
    boundary = [p.split("=", 1)[1].strip('"') for p in content_type.split(";") if p.strip().startswith("boundary=")][0]
    parts = []
    for chunk in body.split(b"--" + boundary.encode())[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, data = chunk.partition(b"\r\n\r\n")
        if data.endswith(b"\r\n"):
            data = data[:-2]
        parts.append((head.decode().strip(), data))
    return parts


def build_corpus(d):
    """{sop uid: path}: pydicom's files, the ones sharing a UID given new ones, plus a multi-frame."""
    os.makedirs(d)
    out = {}
    for name, new_uid in [("MR_small.dcm", False), ("CT_small.dcm", False), ("JPEG2000.dcm", False),
                          ("JPEG-lossy.dcm", False), ("SC_rgb_jpeg_dcmtk.dcm", False),
                          ("MR_small_jpeg_ls_lossless.dcm", True), ("MR_small_RLE.dcm", True)]:
        ds = pydicom.dcmread(os.path.join(PYDICOM_DATA, "test_files", name))
        path = os.path.join(d, name)
        if new_uid:
            ds.SOPInstanceUID = generate_uid(prefix="1.2.826.0.1.3680043.9.7777.71.")
            ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
            ds.save_as(path, write_like_original=True)
        else:
            shutil.copy(os.path.join(PYDICOM_DATA, "test_files", name), path)
        out[str(ds.SOPInstanceUID)] = path
    # A 5-frame 32x24 16-bit MR, each frame a different ramp.
    ds = Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.4.1"
    ds.SOPInstanceUID = generate_uid(prefix="1.2.826.0.1.3680043.9.7777.71.")
    ds.StudyInstanceUID = "1.2.826.0.1.3680043.9.7777.71.1"
    ds.SeriesInstanceUID = "1.2.826.0.1.3680043.9.7777.71.1.1"
    ds.PatientName, ds.PatientID, ds.Modality, ds.StudyDate = "Cine^Heart", "CINE1", "MR", "20260301"
    ds.Rows, ds.Columns, ds.NumberOfFrames, ds.SamplesPerPixel = 24, 32, 5, 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    ds.PixelData = b"".join(((f * 1000 + i).to_bytes(2, "little")) for f in range(5) for i in range(24 * 32))
    fm = FileMetaDataset()
    fm.MediaStorageSOPClassUID, fm.MediaStorageSOPInstanceUID = ds.SOPClassUID, ds.SOPInstanceUID
    fm.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = fm
    ds.is_little_endian, ds.is_implicit_VR = True, False
    path = os.path.join(d, "cine.dcm")
    ds.save_as(path, write_like_original=False)
    out[str(ds.SOPInstanceUID)] = path
    return out


class Fixture:
    pass


_f = None


def fixture():
    global _f
    if _f:
        return _f
    f = Fixture()
    f.tmp = tempdir("dicomweb")
    f.files = build_corpus(os.path.join(f.tmp, "corpus"))
    f.ds = {u: pydicom.dcmread(p, stop_before_pixels=True) for u, p in f.files.items()}
    f.srv = AtriumServer(os.path.join(f.tmp, "data"), http=True, config={"http_max_body_mb": 8},
                         extra_args=["--user", f"{ADMIN[0]}:{ADMIN[1]}:admin",
                                     "--user", f"{VIEWER[0]}:{VIEWER[1]}:viewer"]).start()
    body, ct = multipart([open(p, "rb").read() for p in f.files.values()])
    st, resp, _ = f.srv.http("POST", "/dicom-web/studies", body, auth=ADMIN, headers={"Content-Type": ct})
    check(st == 200, f"STOW: {st} {resp}")
    stored = {i["00081155"]["Value"][0] for i in resp["00081199"]["Value"]}
    check(stored == set(f.files), f"STOW stored {stored}")
    _f = f
    return f


def path_of(d):
    return f"/dicom-web/studies/{d.StudyInstanceUID}/series/{d.SeriesInstanceUID}/instances/{d.SOPInstanceUID}"


def qido(f, path, **params):
    from urllib.parse import urlencode
    st, body, h = f.srv.http("GET", path + ("?" + urlencode(params) if params else ""), auth=VIEWER)
    check(st == 200 and h.get("Content-Type") == "application/dicom+json", f"QIDO {path} {params}: {st} {body}")
    return body


def values(results, tag):
    return sorted(r[tag]["Value"][0] if "Value" in r.get(tag, {}) else None for r in results)


def test_stored_bytes_and_qido():
    f = fixture()
    # Bit-preserving through STOW: the index's files are the uploaded files.
    for uid, (path, *_rest) in f.srv.instances().items():
        check(open(path, "rb").read() == open(f.files[uid], "rb").read(), f"{uid} changed on the way in")
    studies = {str(d.StudyInstanceUID) for d in f.ds.values()}
    check(set(values(qido(f, "/dicom-web/studies"), "0020000D")) == studies, "all studies")
    by_name = qido(f, "/dicom-web/studies", PatientName="cine*")  # case-insensitive name matching
    check(values(by_name, "0020000D") == ["1.2.826.0.1.3680043.9.7777.71.1"], f"by name: {by_name}")
    check(by_name[0]["00100010"]["Value"][0]["Alphabetic"] == "Cine^Heart" and
          by_name[0]["00201208"]["Value"][0] == 1, f"returned values: {by_name[0]}")
    want = sorted({str(d.StudyInstanceUID) for d in f.ds.values() if str(d.get("StudyDate", "")) >= "20040101"
                   and str(d.get("StudyDate", "")) <= "20041231"})
    check(values(qido(f, "/dicom-web/studies", StudyDate="20040101-20041231"), "0020000D") == want, "date range")
    mr = qido(f, "/dicom-web/studies", ModalitiesInStudy="MR")
    want = sorted({str(d.StudyInstanceUID) for d in f.ds.values() if d.Modality == "MR"})
    check(values(mr, "0020000D") == want, f"modalities: {values(mr, '0020000D')} != {want}")
    # Paging is a window on the one ordered result: page 2 is all[2:4], an offset alone is all[n:].
    uids = lambda rs: [r["0020000D"]["Value"][0] for r in rs]  # noqa: E731  (in the order answered)
    everything = uids(qido(f, "/dicom-web/studies"))
    check(len(everything) >= 4 and uids(qido(f, "/dicom-web/studies")) == everything, "a stable order")
    check(uids(qido(f, "/dicom-web/studies", limit="2", offset="0")) == everything[0:2], "page 1")
    check(uids(qido(f, "/dicom-web/studies", limit="2", offset="2")) == everything[2:4], "page 2")
    check(uids(qido(f, "/dicom-web/studies", offset="1")) == everything[1:], "offset without limit")
    check(uids(qido(f, "/dicom-web/studies", limit="3")) == everything[:3], "limit without offset")
    check(uids(qido(f, "/dicom-web/studies", offset=str(len(everything)))) == [], "offset past the end")
    inc = qido(f, "/dicom-web/studies", PatientID="CINE1", includefield="00081030,PatientSex")
    check("00081030" in inc[0] and "00100040" in inc[0], f"includefield: {inc[0].keys()}")
    check("00100021" in qido(f, "/dicom-web/studies", PatientID="CINE1", includefield="all")[0], "includefield=all")
    mrsmall = f.ds[[u for u, p in f.files.items() if p.endswith("/MR_small.dcm")][0]]
    series = qido(f, f"/dicom-web/studies/{mrsmall.StudyInstanceUID}/series")
    want = sorted({str(d.SeriesInstanceUID) for d in f.ds.values() if d.StudyInstanceUID == mrsmall.StudyInstanceUID})
    check(values(series, "0020000E") == want, f"series of a study: {values(series, '0020000E')} != {want}")
    inst = qido(f, "/dicom-web/instances", SOPClassUID="1.2.840.10008.5.1.4.1.1.4")
    want = sorted(u for u, d in f.ds.items() if d.SOPClassUID == "1.2.840.10008.5.1.4.1.1.4")
    check(values(inst, "00080018") == want, f"instances by class: {values(inst, '00080018')} != {want}")
    check(all(r["00081190"]["Value"][0].endswith(path_of(f.ds[r["00080018"]["Value"][0]])[len("/dicom-web"):])
              for r in inst), "RetrieveURL")
    check(qido(f, "/dicom-web/studies", PatientID="nobody") == [], "no match: empty array")


def test_wado_rs_instances_and_metadata():
    f = fixture()
    srv = f.srv
    # transfer-syntax=*: the stored bytes, part per instance.
    st, body, h = srv.http("GET", "/dicom-web/studies/1.2.826.0.1.3680043.9.7777.71.1", auth=VIEWER,
                           headers=DICOM_ANY, raw=True)
    parts = split_multipart(body, h["Content-Type"])
    cine = [u for u in f.files if f.files[u].endswith("cine.dcm")][0]
    check(st == 200 and len(parts) == 1 and parts[0][1] == open(f.files[cine], "rb").read(), "study as stored")
    # Default: Explicit VR LE, pixel data as DCMTK's decoders give it.
    work = os.path.join(f.tmp, "ref")
    os.makedirs(work, exist_ok=True)
    for uid, path in f.files.items():
        d = f.ds[uid]
        st, body, h = srv.http("GET", path_of(d), auth=VIEWER, raw=True)
        parts = split_multipart(body, h["Content-Type"])
        check(st == 200 and len(parts) == 1 and f"transfer-syntax={EXPLICIT}" in parts[0][0], f"{path}: {parts[:1]}")
        got = pydicom.dcmread(io.BytesIO(parts[0][1]))
        check(got.file_meta.TransferSyntaxUID == EXPLICIT and got.SOPInstanceUID == uid, f"{path}: syntax")
        ts = str(d.file_meta.TransferSyntaxUID)
        ref = os.path.join(work, os.path.basename(path))
        if ts == EXPLICIT:
            shutil.copy(path, ref)
        elif ts.startswith("1.2.840.10008.1.2.4.9"):
            run(["gdcmconv", "--raw", path, ref], check_rc=0)
        else:
            tool = {"1.2.840.10008.1.2.5": "dcmdrle", "1.2.840.10008.1.2.4.80": "dcmdjpls"}.get(ts, "dcmdjpeg")
            run([tool, path, ref], check_rc=0)
        check(got.PixelData == pydicom.dcmread(ref).PixelData, f"{path}: pixel data differs from {ts} decoded")
    # Accept of something else: 406; unknown UID: 404.
    st, body, _ = srv.http("GET", path_of(f.ds[cine]), auth=VIEWER, headers={"Accept": "application/zip"})
    check(st == 406 and "error" in body, f"406: {st}")
    st, body, _ = srv.http("GET", "/dicom-web/studies/1.2.3.4", auth=VIEWER, headers=DICOM_ANY)
    check(st == 404 and "error" in body, f"404: {st}")

    # Metadata: the attributes, and the pixel data by URI.
    st, meta, h = srv.http("GET", path_of(f.ds[cine]) + "/metadata", auth=VIEWER)
    check(st == 200 and len(meta) == 1, f"metadata: {st}")
    m = meta[0]
    check(m["00100010"]["Value"][0]["Alphabetic"] == "Cine^Heart" and m["00280008"]["Value"][0] == 5 and
          "BulkDataURI" in m["7FE00010"], f"metadata values: {m.get('7FE00010')}")
    uri = m["7FE00010"]["BulkDataURI"]
    st, body, h = srv.http("GET", uri[uri.index("/dicom-web"):], auth=VIEWER, raw=True)
    parts = split_multipart(body, h["Content-Type"])
    check(st == 200 and parts[0][1] == pydicom.dcmread(f.files[cine]).PixelData, "bulk data")
    st, meta, _ = srv.http("GET", f"/dicom-web/studies/{f.ds[cine].StudyInstanceUID}/series/"
                                  f"{f.ds[cine].SeriesInstanceUID}/metadata", auth=VIEWER)
    check(st == 200 and [x["00080018"]["Value"][0] for x in meta] == [cine], "series metadata")


def test_frames_rendered_and_wado_uri():
    f = fixture()
    srv = f.srv
    cine = [u for u in f.files if f.files[u].endswith("cine.dcm")][0]
    pixels = pydicom.dcmread(f.files[cine]).PixelData
    frame = 24 * 32 * 2
    st, body, h = srv.http("GET", path_of(f.ds[cine]) + "/frames/2,5", auth=VIEWER, raw=True)
    parts = split_multipart(body, h["Content-Type"])
    check(st == 200 and [p[1] for p in parts] == [pixels[frame:2 * frame], pixels[4 * frame:5 * frame]], "frames 2,5")
    st, body, _ = srv.http("GET", path_of(f.ds[cine]) + "/frames/6", auth=VIEWER)
    check(st == 404 and "no frame 6" in body["error"], f"frame 6: {st} {body}")
    st, body, _ = srv.http("GET", path_of(f.ds[cine]) + "/frames/0", auth=VIEWER)
    check(st in (400, 404), f"frame 0: {st}")
    # JPEG baseline as stored: the compressed frame itself.
    jpeg = [u for u in f.files if f.files[u].endswith("SC_rgb_jpeg_dcmtk.dcm")][0]
    st, body, h = srv.http("GET", path_of(f.ds[jpeg]) + "/frames/1", auth=VIEWER, raw=True,
                           headers={"Accept": 'multipart/related; type="application/octet-stream"; transfer-syntax=*'})
    parts = split_multipart(body, h["Content-Type"])
    check(st == 200 and parts[0][1][:2] == b"\xff\xd8" and "1.2.840.10008.1.2.4.50" in parts[0][0],
          f"stored JPEG frame: {parts[0][0] if parts else body}")

    # Rendered PNG against dcm2pnm at the same window, pixel for pixel (frame 3 of the cine, and MR_small).
    mr = [u for u in f.files if f.files[u].endswith("/MR_small.dcm")][0]
    for uid, frame_no, center, width in [(cine, 3, 2600, 1800), (mr, 1, 600, 1600)]:
        sub = f"/frames/{frame_no}/rendered" if frame_no > 1 else "/rendered"
        st, body, h = srv.http("GET", path_of(f.ds[uid]) + sub + f"?window={center},{width},linear", auth=VIEWER,
                               headers={"Accept": "image/png"}, raw=True)
        check(st == 200 and h["Content-Type"] == "image/png", f"rendered {uid}: {st} {body[:200]}")
        ref = os.path.join(f.tmp, f"ref-{frame_no}.png")
        run(["dcm2pnm", "+F", str(frame_no), "+Ww", str(center), str(width), "+on", f.files[uid], ref], check_rc=0)
        ours, theirs = Image.open(io.BytesIO(body)), Image.open(ref)
        check(ours.size == theirs.size and list(ours.getdata()) == list(theirs.getdata()),
              f"rendered {uid} frame {frame_no} differs from dcm2pnm")
        check(len(set(ours.getdata())) > 10, "rendered image is flat")
    st, body, h = srv.http("GET", path_of(f.ds[mr]) + "/thumbnail", auth=VIEWER, raw=True)
    check(st == 200 and Image.open(io.BytesIO(body)).format == "JPEG" and
          Image.open(io.BytesIO(body)).size == (128, 128), "thumbnail")
    st, body, h = srv.http("GET", path_of(f.ds[mr]) + "/rendered?viewport=32,32&quality=50", auth=VIEWER, raw=True)
    check(st == 200 and Image.open(io.BytesIO(body)).size == (32, 32), "viewport")
    for bad in ("?window=1", "?window=a,b", "?viewport=0,10", "?quality=500"):
        st, body, _ = srv.http("GET", path_of(f.ds[mr]) + "/rendered" + bad, auth=VIEWER)
        check(st == 400 and "error" in body, f"rendered{bad}: {st}")
    st, body, _ = srv.http("GET", path_of(f.ds[mr]) + "/rendered", auth=VIEWER, headers={"Accept": "text/html"})
    check(st == 406, f"rendered as html: {st}")

    # WADO-URI.
    d = f.ds[mr]
    q = f"/wado?requestType=WADO&studyUID={d.StudyInstanceUID}&seriesUID={d.SeriesInstanceUID}&objectUID={mr}"
    st, body, h = srv.http("GET", q + "&contentType=application/dicom", auth=VIEWER, raw=True)
    check(st == 200 and body == open(f.files[mr], "rb").read(), "WADO-URI application/dicom (stored Explicit LE)")
    st, body, h = srv.http("GET", q + "&rows=20&columns=20", auth=VIEWER, raw=True)
    check(st == 200 and h["Content-Type"] == "image/jpeg" and Image.open(io.BytesIO(body)).size == (20, 20), "WADO jpeg")
    st, body, h = srv.http("GET", q + "&contentType=image/png&windowCenter=600&windowWidth=1600", auth=VIEWER, raw=True)
    ref = os.path.join(f.tmp, "ref-1.png")
    check(st == 200 and list(Image.open(io.BytesIO(body)).getdata()) == list(Image.open(ref).getdata()),
          "WADO-URI png window")
    j2k = [u for u in f.files if f.files[u].endswith("JPEG2000.dcm")][0]
    d2 = f.ds[j2k]
    st, body, _ = srv.http("GET", f"/wado?requestType=WADO&studyUID={d2.StudyInstanceUID}&seriesUID="
                                  f"{d2.SeriesInstanceUID}&objectUID={j2k}&contentType=application/dicom", auth=VIEWER,
                           raw=True)
    check(st == 200 and pydicom.dcmread(io.BytesIO(body)).file_meta.TransferSyntaxUID == EXPLICIT, "J2K via WADO-URI")
    for bad, want in [(q.replace("WADO&", "XXX&"), 400), (q + "&contentType=text/plain", 406),
                      (q + "&windowCenter=1", 400), (q.replace(mr, "1.2.3"), 404), (q + "&frameNumber=0", 400)]:
        st, body, _ = srv.http("GET", bad, auth=VIEWER)
        check(st == want and "error" in body, f"{bad}: {st} {body}")


def test_stow_errors():
    f = fixture()
    srv = f.srv
    mr = [u for u in f.files if f.files[u].endswith("/MR_small.dcm")][0]
    data = open(f.files[mr], "rb").read()
    body, ct = multipart([data])
    st, resp, _ = srv.http("POST", "/dicom-web/studies", body, auth=VIEWER, headers={"Content-Type": ct})
    check(st == 403, f"viewer storing: {st}")
    st, resp, _ = srv.http("POST", "/dicom-web/studies", body, auth=ADMIN, headers={"Content-Type": "application/json"})
    check(st == 415 and "error" in resp, f"json body: {st}")
    st, resp, _ = srv.http("POST", "/dicom-web/studies", body[:-30], auth=ADMIN, headers={"Content-Type": ct})
    check(st == 400 and "malformed" in resp["error"], f"truncated multipart: {st} {resp}")
    # Another study's instance under a study URL: refused, not stored; a non-DICOM part fails alone.
    other = generate_uid(prefix="1.2.826.0.1.3680043.9.7777.71.")
    body, ct = multipart([data])
    st, resp, _ = srv.http("POST", f"/dicom-web/studies/{other}", body, auth=ADMIN, headers={"Content-Type": ct})
    check(st == 409 and resp["00081198"]["Value"][0]["00081197"]["Value"][0] == 0xA900, f"wrong study: {st} {resp}")
    new = pydicom.dcmread(f.files[mr])
    new.SOPInstanceUID = generate_uid(prefix="1.2.826.0.1.3680043.9.7777.71.")
    new.file_meta.MediaStorageSOPInstanceUID = new.SOPInstanceUID
    buf = io.BytesIO()
    new.save_as(buf, write_like_original=True)
    body, ct = multipart([buf.getvalue(), b"this is not DICOM"])
    st, resp, _ = srv.http("POST", f"/dicom-web/studies/{new.StudyInstanceUID}", body, auth=ADMIN,
                           headers={"Content-Type": ct})
    check(st == 202 and [i["00081155"]["Value"][0] for i in resp["00081199"]["Value"]] == [new.SOPInstanceUID] and
          resp["00081198"]["Value"][0]["00081197"]["Value"][0] == 0xC000, f"partial: {st} {resp}")
    check(new.SOPInstanceUID in srv.instances() and other not in json.dumps(list(srv.instances())), "what was stored")
    # Over the body limit (8 MiB here): a client that asks first (Expect: 100-continue) is told
    # before sending; one that does not is cut off.
    big, ct = multipart([b"\0" * (9 * 1024 * 1024)])
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", srv.http_port, timeout=30)
    conn.putrequest("POST", "/dicom-web/studies")
    import base64
    conn.putheader("Authorization", "Basic " + base64.b64encode(f"{ADMIN[0]}:{ADMIN[1]}".encode()).decode())
    conn.putheader("Content-Type", ct)
    conn.putheader("Content-Length", str(len(big)))
    conn.putheader("Expect", "100-continue")
    conn.endheaders()
    r = conn.getresponse()
    check(r.status == 413 and b"too large" in r.read(), f"over the body limit: {r.status}")
    conn.close()
    try:
        st, resp, _ = srv.http("POST", "/dicom-web/studies", big, auth=ADMIN, headers={"Content-Type": ct})
        check(st == 413, f"over the body limit, no Expect: {st}")
    except OSError:
        pass  # the server closed the connection on the unread body: the client's send failed
    check(not os.listdir(os.path.join(srv.data_dir, "storage", "incoming")), "temp files left behind")
    st, _, _ = srv.http("GET", "/dicom-web/studies", auth=VIEWER)
    check(st == 200, "server stopped serving")


def test_orthanc_dicomweb_client():
    """Orthanc's DICOMweb plugin, pointed at Atrium: STOW from Orthanc, QIDO and WADO-RS into Orthanc."""
    f = fixture()
    work = os.path.join(f.tmp, "orthanc")
    os.makedirs(work)
    o = Orthanc(work)
    cfg = json.load(open(o.cfg))
    cfg["Plugins"] = ["/usr/share/orthanc/plugins/libOrthancDicomWeb.so"]
    cfg["DicomWeb"] = {"Enable": True, "Servers": {"atrium": [f"http://127.0.0.1:{f.srv.http_port}/dicom-web/",
                                                              ADMIN[0], ADMIN[1]]}}
    json.dump(cfg, open(o.cfg, "w"))
    new = pydicom.dcmread(f.files[[u for u in f.files if f.files[u].endswith("CT_small.dcm")][0]])
    new.StudyInstanceUID = generate_uid(prefix="1.2.826.0.1.3680043.9.7777.72.")
    new.SeriesInstanceUID = generate_uid(prefix="1.2.826.0.1.3680043.9.7777.72.")
    new.SOPInstanceUID = generate_uid(prefix="1.2.826.0.1.3680043.9.7777.72.")
    new.file_meta.MediaStorageSOPInstanceUID = new.SOPInstanceUID
    buf = io.BytesIO()
    new.save_as(buf, write_like_original=True)
    with o:
        import urllib.request
        req = urllib.request.Request(f"http://127.0.0.1:{o.http}/instances", data=buf.getvalue(), method="POST")
        oid = json.loads(urllib.request.urlopen(req, timeout=30).read())["ParentStudy"]
        o.rest("POST", "/dicom-web/servers/atrium/stow", {"Resources": [oid]})
        check(new.SOPInstanceUID in f.srv.instances(), "Orthanc's STOW did not arrive")
        got = o.rest("POST", "/dicom-web/servers/atrium/get",
                     {"Uri": "/studies", "Arguments": {"StudyInstanceUID": str(new.StudyInstanceUID)}})
        check(len(got) == 1 and got[0]["00100020"]["Value"][0] == str(new.PatientID), f"Orthanc's QIDO: {got}")
        o.rest("DELETE", f"/studies/{oid}")
        mr = f.ds[[u for u in f.files if f.files[u].endswith("/MR_small.dcm")][0]]
        o.rest("POST", "/dicom-web/servers/atrium/retrieve",
               {"Resources": [{"Study": str(new.StudyInstanceUID)}, {"Study": str(mr.StudyInstanceUID)}]})
        deadline = time.time() + 60
        want = {new.SOPInstanceUID} | set(values(qido(f, f"/dicom-web/studies/{mr.StudyInstanceUID}/instances"),
                                                 "00080018"))
        have = set()
        while time.time() < deadline and have != want:
            have = {o.rest("GET", f"/instances/{i}/tags?simplify")["SOPInstanceUID"] for i in o.rest("GET", "/instances")}
            time.sleep(0.3)
        check(have == want, f"Orthanc's WADO-RS retrieve: {have ^ want}")


if __name__ == "__main__":
    try:
        main([test_stored_bytes_and_qido, test_wado_rs_instances_and_metadata, test_frames_rendered_and_wado_uri,
              test_stow_errors, test_orthanc_dicomweb_client])
    finally:
        if _f:
            _f.srv.stop()
            cleanup(_f.tmp)
