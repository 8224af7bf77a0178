#!/usr/bin/python3
"""Writes the seed corpora of the fuzz harnesses (fuzz/corpus/<target>/): small, valid inputs of
each kind, from which the fuzzers mutate. Deterministic; run again after changing it:

  /usr/bin/python3 fuzz/make_seeds.py

Data sets come from pydicom's own test files (their transfer syntaxes and oddities) and from
pydicom-built instances; PDUs are built here byte by byte (PS3.8 9.3)."""
import json
import os
import shutil
import struct
import sys

import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.filewriter import write_dataset
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
from atrium_testlib import (EXPLICIT_LE, IMPLICIT_LE, VERIFICATION, associate_rq, c_echo_rq, c_find_rq,  # noqa: E402
                            c_store_rq, command_set, dataset_bytes, p_data)
CORPUS = os.path.join(HERE, "corpus")
PYDICOM_FILES = os.path.join(os.path.dirname(pydicom.__file__), "data", "test_files")
MR = "1.2.840.10008.5.1.4.1.1.4"
UID = "1.2.826.0.1.3680043.10.1234.1"  # the SOP Instance UID of fuzz_store_dataset's meta header


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def mr_dataset(uid=UID):
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.SOPClassUID, ds.SOPInstanceUID = MR, uid
    ds.StudyInstanceUID, ds.SeriesInstanceUID = "1.2.826.0.1.3680043.10.1234.2", "1.2.826.0.1.3680043.10.1234.3"
    ds.PatientID, ds.PatientName, ds.Modality = "FUZZ1", "Müller^Hans", "MR"
    ds.StudyDate, ds.SeriesNumber, ds.InstanceNumber = "20261201", 1, 1
    ds.ImagePositionPatient, ds.ImageOrientationPatient = [0, 0, 0], [1, 0, 0, 0, 1, 0]
    ds.PixelSpacing, ds.SliceThickness = [1.5, 1.5], 8
    ds.Rows, ds.Columns, ds.BitsAllocated, ds.BitsStored, ds.HighBit = 4, 4, 16, 12, 11
    ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PixelRepresentation = 1, "MONOCHROME2", 0
    ds.PixelData = bytes(range(32))
    item = Dataset()
    item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = "T-32000", "SRT", "Heart"
    ds.AnatomicRegionSequence = [item]
    return ds


def raw(ds, little, implicit):
    fp = pydicom.filebase.DicomBytesIO()
    fp.is_little_endian, fp.is_implicit_VR = little, implicit
    write_dataset(fp, ds)
    return fp.getvalue()


def part10(ds, ts=ExplicitVRLittleEndian):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID = ds.SOPClassUID, ds.SOPInstanceUID
    meta.TransferSyntaxUID = ts
    ds.file_meta = meta
    buf = pydicom.filebase.DicomBytesIO()
    pydicom.dcmwrite(buf, ds, write_like_original=False)
    return buf.getvalue()


def store_dataset():
    # Framing byte 0: Part 10 files, 1-3: raw data sets after the SCP's meta header.
    write("store_dataset", "part10-mr-explicit", b"\x00" + part10(mr_dataset()))
    write("store_dataset", "part10-mr-implicit", b"\x00" + part10(mr_dataset(), ImplicitVRLittleEndian))
    for name in sorted(os.listdir(PYDICOM_FILES)):
        path = os.path.join(PYDICOM_FILES, name)
        if name.endswith(".dcm") and os.path.getsize(path) <= 16000:
            with open(path, "rb") as f:
                write("store_dataset", "pydicom-" + name, b"\x00" + f.read())
    write("store_dataset", "raw-implicit-le", b"\x01" + raw(mr_dataset(), True, True))
    write("store_dataset", "raw-explicit-le", b"\x02" + raw(mr_dataset(), True, False))
    write("store_dataset", "raw-explicit-be", b"\x03" + raw(mr_dataset(), False, False))


# --- PDUs: built with the integration tests' raw DICOM UL client ---------------------------------
RELEASE_RQ = struct.pack(">BBI", 0x05, 0, 4) + bytes(4)
ABORT = struct.pack(">BBI", 0x07, 0, 4) + bytes(4)
STUDY_ROOT_FIND = "1.2.840.10008.5.1.4.1.2.2.1"
MWL_FIND = "1.2.840.10008.5.1.4.31"
STUDY_ROOT_MOVE = "1.2.840.10008.5.1.4.1.2.2.2"


def us(value):
    return struct.pack("<H", value)


def association():
    def rq(contexts, called="ATRIUM"):
        return associate_rq(called, "FUZZSCU", contexts)
    write("association", "echo", rq([(1, VERIFICATION, [IMPLICIT_LE])]) + p_data(1, c_echo_rq(), True) + RELEASE_RQ)
    uid = "1.2.826.0.1.3680043.10.1234.7"
    ds = dataset_bytes(mr_dataset(uid))
    write("association", "store", rq([(1, MR, [EXPLICIT_LE, IMPLICIT_LE]), (3, MR, [IMPLICIT_LE])])
          + p_data(3, c_store_rq(MR, uid, message_id=2), True) + p_data(3, ds[:100], False, last=False)
          + p_data(3, ds[100:], False) + RELEASE_RQ)
    ident = Dataset()
    ident.QueryRetrieveLevel, ident.PatientName, ident.StudyInstanceUID, ident.StudyDate = "STUDY", "M*", "", "20260101-"
    write("association", "find", rq([(1, STUDY_ROOT_FIND, [IMPLICIT_LE])])
          + p_data(1, c_find_rq(STUDY_ROOT_FIND, message_id=3), True) + p_data(1, dataset_bytes(ident), False)
          + RELEASE_RQ)
    wl = Dataset()
    step = Dataset()
    step.Modality, step.ScheduledStationAETitle, step.ScheduledProcedureStepStartDate = "MR", "", "20260101-"
    wl.PatientName, wl.ScheduledProcedureStepSequence = "", [step]
    write("association", "worklist", rq([(5, MWL_FIND, [IMPLICIT_LE])])
          + p_data(5, c_find_rq(MWL_FIND, message_id=4), True) + p_data(5, dataset_bytes(wl), False) + RELEASE_RQ)
    move_id = Dataset()
    move_id.QueryRetrieveLevel, move_id.StudyInstanceUID = "STUDY", "1.2.826.0.1.3680043.10.1234.2"
    move = command_set([(0x0002, STUDY_ROOT_MOVE.encode() + b"\0"), (0x0100, us(0x0021)), (0x0110, us(5)),
                        (0x0600, b"NOWHERE "), (0x0700, us(0)), (0x0800, us(0x0000))])
    write("association", "move-unknown-destination", rq([(7, STUDY_ROOT_MOVE, [IMPLICIT_LE])])
          + p_data(7, move, True) + p_data(7, dataset_bytes(move_id), False) + RELEASE_RQ)
    write("association", "abort", rq([(1, VERIFICATION, [IMPLICIT_LE])]) + ABORT)
    write("association", "wrong-called-ae", rq([(1, VERIFICATION, [IMPLICIT_LE])], called="SOMEONE"))
    write("association", "http-on-dicom-port", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")


# --- HTTP ----------------------------------------------------------------------------------------
def http_request():
    def get(path):
        return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n"
    gets = {
        "qido-studies": "/dicom-web/studies?PatientName=M*&StudyDate=20260101-20261231&limit=5&offset=1"
                        "&includefield=all&fuzzymatching=true",
        "qido-series": "/dicom-web/studies/1.2.826.0.1.3680043.10.1234.2/series?Modality=MR&includefield=00080021",
        "qido-instances": "/dicom-web/studies/1.2.826.0.1.3680043.10.1234.2/series/1.2.826.0.1.3680043.10.1234.3"
                          "/instances?SOPClassUID=1.2.840.10008.5.1.4.1.1.4",
        "wado-uri": "/wado?requestType=WADO&studyUID=1.2.826.0.1.3680043.10.1234.2&seriesUID="
                    "1.2.826.0.1.3680043.10.1234.3&objectUID=1.2.826.0.1.3680043.10.1234.1&contentType=image%2Fjpeg"
                    "&windowCenter=40&windowWidth=400&rows=64&columns=64&frameNumber=1",
        "wado-uri-dicom": "/wado?requestType=WADO&studyUID=1.2.3&seriesUID=1.2.3.4&objectUID=1.2.3.4.5"
                          "&contentType=application%2Fdicom&transferSyntax=1.2.840.10008.1.2.4.50",
        "wado-rs-study": "/dicom-web/studies/1.2.826.0.1.3680043.10.1234.2",
        "wado-rs-metadata": "/dicom-web/studies/1.2.826.0.1.3680043.10.1234.2/metadata",
        "wado-rs-rendered": "/dicom-web/studies/1.2.826.0.1.3680043.10.1234.2/series/1.2.826.0.1.3680043.10.1234.3"
                            "/instances/1.2.826.0.1.3680043.10.1234.1/frames/1/rendered?window=40,400,linear",
        "api-status": "/api/status",
        "api-audit": "/api/audit?since=2026-01-01&patient=FUZZ1&limit=10",
        "viewer-traversal": "/../../etc/passwd",
        "viewer-index": "/index.html",
        "metrics": "/metrics",
    }
    for name, path in gets.items():
        write("http_request", name, get(path))
    mr = part10(mr_dataset())
    boundary = "atrium-seed-boundary"
    body = (f"--{boundary}\r\nContent-Type: application/dicom\r\n\r\n").encode() + mr + \
        f"\r\n--{boundary}--\r\n".encode()
    write("http_request", "stow", (f"POST /dicom-web/studies HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                   f"Content-Type: multipart/related; type=\"application/dicom\"; boundary={boundary}\r\n"
                                   f"Content-Length: {len(body)}\r\n\r\n").encode() + body)
    wl = json.dumps(worklist_item()).encode()
    write("http_request", "worklist-post", b"POST /api/worklist HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          b"Content-Type: application/dicom+json\r\nContent-Length: " + str(len(wl)).encode() + b"\r\n\r\n" + wl)
    write("http_request", "two-requests", get("/healthz") + get("/dicom-web/studies?PatientID=FUZZ1"))
    write("http_request", "chunked", "POST /dicom-web/studies HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
          "Content-Type: multipart/related; boundary=b\r\n\r\n5\r\n--b\r\n\r\n0\r\n\r\n")
    write("http_request", "delete", "DELETE /api/studies/1.2.826.0.1.3680043.10.1234.2 HTTP/1.1\r\nHost: x\r\n\r\n")


# --- DICOM JSON, multipart, config ---------------------------------------------------------------
def worklist_item():
    def s(vr, v):
        return {"vr": vr, "Value": [v]}
    step = {"00080060": s("CS", "MR"), "00400001": s("AE", "MR1"), "00400002": s("DA", "20991201"),
            "00400003": s("TM", "080000"), "00400009": s("SH", "SPS-1"), "00400007": s("LO", "Cardiac cine")}
    return {"00100020": s("LO", "FUZZ1"), "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Müller^Hans",
                                                                                "Ideographic": "山田^太郎"}]},
            "00080050": s("SH", "ACC1"), "00100030": s("DA", "19600101"), "00100040": s("CS", "M"),
            "0020000D": s("UI", "1.2.826.0.1.3680043.10.1234.2"), "00401001": s("SH", "RP1"),
            "00321060": s("LO", "Cardiac MR"), "00400100": {"vr": "SQ", "Value": [step]},
            "00181310": {"vr": "US", "Value": [256, 0, 0, 256]}, "00280030": {"vr": "DS", "Value": [1.5, "1.5"]},
            "00200032": {"vr": "DS", "Value": [-1.0e3, 0, 12.5]}, "00080016": s("UI", MR)}


def dicom_json():
    write("dicom_json", "worklist-item", json.dumps(worklist_item(), ensure_ascii=False))
    write("dicom_json", "worklist-array", json.dumps([worklist_item()]))
    write("dicom_json", "all-vrs", json.dumps({
        "00081030": {"vr": "LO", "Value": ["Study"]}, "00200013": {"vr": "IS", "Value": [1]},
        "00280010": {"vr": "US", "Value": [4]}, "00180050": {"vr": "DS", "Value": [8.0]},
        "00089123": {"vr": "UT", "Value": ["text"]}, "00720064": {"vr": "IS", "Value": [None]},
        "00540081": {"vr": "US", "Value": [65535]}, "00186020": {"vr": "SL", "Value": [-2147483648]},
        "00186022": {"vr": "FD", "Value": [1e308]}, "00660016": {"vr": "FL", "Value": [3.5]},
        "00283010": {"vr": "SQ", "Value": [{}]}, "7FE00010": {"vr": "OB", "InlineBinary": "AAECAw=="},
        "00080018": {"vr": "UI"}, "00191010": {"vr": "UN", "InlineBinary": "AA=="}}))


def multipart():
    mr = part10(mr_dataset())
    b = "atrium-seed"
    write("multipart", "one-part", f"multipart/related; type=\"application/dicom\"; boundary={b}\n".encode()
          + f"--{b}\r\nContent-Type: application/dicom\r\n\r\n".encode() + mr + f"\r\n--{b}--\r\n".encode())
    write("multipart", "two-parts-preamble", f"multipart/related; boundary=\"{b}\"; type=application/dicom\n"
          f"preamble\r\n--{b}\r\nContent-Type: application/dicom\r\nContent-Location: a\r\n\r\nAAAA\r\n"
          f"--{b}\r\ncontent-type: application/dicom\r\n\r\nBB\r\n--{b}--\r\nepilogue")
    write("multipart", "accept-list", "multipart/related; type=\"application/octet-stream\"; "
          "transfer-syntax=*, application/dicom; q=0.5, */*\n--atrium-fuzz\r\n\r\n\r\n--atrium-fuzz--")


def config():
    with open(os.path.join(HERE, "..", "config", "atrium.example.json"), "rb") as f:
        write("config", "example.json", f.read())
    write("config", "peers-routes", json.dumps({
        "aet": "ATRIUM", "dicom_port": 4242, "http_port": 0, "accept_unknown_aets": False,
        "peers": [{"aet": "MODALITY", "host": "127.0.0.1", "port": 104, "services": ["store", "worklist"]},
                  {"aet": "PACS", "host": "pacs.example.org", "port": 11112, "tls": True}],
        "routes": [{"name": "mr", "match": {"Modality": "MR"}, "to": ["PACS"]}],
        "analysis": {"auto": True, "workers": 1, "stable_s": 30},
        "tls_port": 2762, "tls_cert": "a.pem", "tls_key": "a.key", "tls_ca": ["ca.pem"],
        "audit_syslog": "udp://127.0.0.1:514"}))
    write("config", "minimal", "{}")
    write("config", "comments", "// a comment\n{\"aet\": \"X\" /* another */, \"max_pdu\": 131072}")


if __name__ == "__main__":
    if os.path.isdir(CORPUS):
        shutil.rmtree(CORPUS)
    store_dataset()
    association()
    http_request()
    dicom_json()
    multipart()
    config()
    for target in sorted(os.listdir(CORPUS)):
        files = os.listdir(os.path.join(CORPUS, target))
        size = sum(os.path.getsize(os.path.join(CORPUS, target, f)) for f in files)
        print(f"{target}: {len(files)} seeds, {size} bytes")
