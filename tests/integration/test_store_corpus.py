"""A mixed real-world corpus (pydicom's test and charset files: RT, SR, JPEG, JPEG-LS, J2K, RLE,
big-endian, deflated, many character sets) goes through Atrium in both directions and every
instance arrives with its data set byte-identical:
  - DCMTK dcmsend/storescu/echoscu → atrium serve
  - atrium send/echo → DCMTK storescp (bit-preserving)"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import (ATRIUM, AtriumServer, RawAssociation, StoreScp, check, cleanup, corpus_files,  # noqa: E402
                            dataset_uid, echo_ok, main, meta_uid, run, same_content, split_part10, tempdir)

MUST_ARRIVE = ["rtplan.dcm", "rtdose.dcm", "test-SR.dcm", "JPEG-lossy.dcm", "JPGExtended.dcm",
               "MR_small_jpeg_ls_lossless.dcm", "MR_small_jp2klossless.dcm", "JPEG2000.dcm", "MR_small_RLE.dcm",
               "MR_small_bigendian.dcm", "image_dfl.dcm", "waveform_ecg.dcm", "chrArab.dcm", "chrFren.dcm",
               "chrGerm.dcm", "chrGreek.dcm", "chrH31.dcm", "chrHbrw.dcm", "chrI2.dcm", "chrRuss.dcm",
               "chrX1.dcm", "chrX2.dcm"]


def parse_dcmsend_report(path):
    """[(filename, sop_uid, original_ts, network_ts, status)] from dcmsend --create-report-file."""
    text = open(path, encoding="utf-8", errors="replace").read()
    out = []
    for block in text.split("\n\n"):
        f = re.search(r"Filename\s+: (.*)", block)
        s = re.search(r"DIMSE Status\s+: (0x[0-9a-fA-F]{4})", block)
        if not f:
            continue
        uid = re.search(r"SOP Instance\s+: (\S+)", block)
        net = re.search(r"Network Xfer\s+: (\S+)", block)
        orig = re.search(r"Original Xfer\s+: (\S+)", block)
        out.append((f.group(1).strip(), uid.group(1) if uid else "", orig.group(1) if orig else "",
                    net.group(1) if net else "", s.group(1).lower() if s else None))
    return out


def test_dcmtk_senders_to_atrium_byte_identical():
    work = tempdir("corpus")
    try:
        files = corpus_files()
        with AtriumServer(os.path.join(work, "data")) as srv:
            check(echo_ok(srv.port), "echoscu against atrium failed")
            report = os.path.join(work, "report.txt")
            run(["dcmsend", "-aec", "ATRIUM", "-dn", "-nh", "--create-report-file", report, "127.0.0.1",
                 str(srv.port)] + files, timeout=300)
            results = parse_dcmsend_report(report)
            stored = srv.instances()
            ok_names = set()
            first_by_uid = {}
            for fname, uid, orig, net, status in results:
                if status == "0x0000":
                    first_by_uid.setdefault(dataset_uid(fname), (fname, orig, net))
                    ok_names.add(os.path.basename(fname))
            for uid, (fname, orig, net) in first_by_uid.items():
                check(uid in stored, f"{fname}: answered success but {uid} is not indexed")
                path, size, _, ts = stored[uid]
                _, src_ts, src_ds = split_part10(fname)
                meta, dst_ts, dst_ds = split_part10(path)
                check(dst_ts == net, f"{fname}: stored in {dst_ts}, received in {net}")
                check(meta_uid(meta, 3) == uid, f"{fname}: meta header has SOP Instance {meta_uid(meta, 3)}")
                check(os.path.getsize(path) == size, f"{fname}: index size differs from file")
                # dcmsend re-encodes from memory (it recomputes group lengths), so compare content;
                # byte identity is shown with the exact-bytes sender below.
                check(same_content(fname, path), f"{fname}: stored data set differs from the sent one")
            missing = [n for n in set(MUST_ARRIVE) if n not in ok_names]
            check(not missing, f"not stored: {missing}")
            check(len(first_by_uid) == len(stored), f"{len(stored)} indexed vs {len(first_by_uid)} acknowledged")
            print(f"  {len(first_by_uid)} distinct instances stored with identical content out of {len(files)} files")

            # storescu too (one association, uncompressed files).
            sub = [f for f in files if os.path.basename(f) in ("chrRuss.dcm", "chrGreek.dcm", "CT_small.dcm")]
            run(["storescu", "-aec", "ATRIUM", "-R", "127.0.0.1", str(srv.port)] + sub,
                check_rc=0)
            check(srv.alive(), "server died")
    finally:
        cleanup(work)


def test_exact_bytes_to_atrium_stored_byte_identical():
    """A sender that puts each file's data set bytes on the wire unchanged, in the file's own
    transfer syntax: what Atrium stores must be those bytes."""
    work = tempdir("exact")
    try:
        with AtriumServer(os.path.join(work, "data")) as srv:
            identical = 0
            for f in corpus_files():
                meta, ts, ds = split_part10(f)
                sop_class, sop_uid = meta_uid(meta, 2), meta_uid(meta, 3)
                if not sop_class or not sop_uid or not ts:
                    continue
                a = RawAssociation(srv.port, contexts=[(1, sop_class, [ts])])
                if a.accepted.get(1, (1,))[0] != 0:
                    a.close()
                    continue
                status, comment = a.store(1, sop_class, sop_uid, ds)
                a.release()
                if status != 0:
                    print(f"  {os.path.basename(f)}: status {status if status is None else hex(status)} {comment}")
                    continue
                path = srv.instances()[sop_uid][0]
                smeta, sts, sds = split_part10(path)
                if sds == ds and sts == ts:
                    identical += 1
                else:
                    # keep-first: an earlier file with the same SOP Instance UID may be the stored one
                    check(any(split_part10(g)[2] == sds for g in corpus_files()
                              if meta_uid(split_part10(g)[0], 3) == sop_uid),
                          f"{f}: stored bytes match no file with that UID")
            check(identical >= 40, f"only {identical} stored byte-identical")
            print(f"  {identical} corpus files stored byte-identical")
            check(srv.alive(), "server died")
    finally:
        cleanup(work)


def test_atrium_send_to_storescp_byte_identical():
    work = tempdir("send")
    try:
        files = [f for f in corpus_files()]
        out = os.path.join(work, "received")
        with StoreScp(out) as scp:
            p = run([ATRIUM, "echo", f"127.0.0.1:{scp.port}", "--called", "STORESCP"])
            check(p.returncode == 0, f"atrium echo failed: {p.stderr.decode()}")
            p = run([ATRIUM, "send", f"127.0.0.1:{scp.port}", "--called", "STORESCP", "--jobs", "2"] + files)
            err = p.stderr.decode(errors="replace")
        received = {}
        for name in os.listdir(out):
            meta, ts, ds = split_part10(os.path.join(out, name))
            received[meta_uid(meta, 3)] = (ts, ds)
        by_uid = {}
        for f in files:
            meta, ts, ds = split_part10(f)
            by_uid.setdefault(dataset_uid(f), []).append((ts, ds))
        identical = converted = 0
        for uid, (rts, rds) in received.items():
            if (rts, rds) in by_uid.get(uid, []):
                identical += 1
                continue
            # storescp did not take the file's own syntax: atrium send converted it.
            src = [f for f in files if dataset_uid(f) == uid]
            check(any(same_content(f, os.path.join(out, n)) for f in src for n in os.listdir(out)
                      if meta_uid(split_part10(os.path.join(out, n))[0], 3) == uid),
                  f"{uid}: received content matches no file sent")
            converted += 1
            print(f"  converted: {[os.path.basename(f) for f in src]} {rts}")
        check(len(received) >= 40, f"only {len(received)} instances reached storescp:\n{err[-2000:]}")
        check(p.returncode == 0 and ", failed 0," in err, f"unexpected summary: {err[-300:]}")
        check(identical >= 35, f"only {identical} arrived byte-identical")
        print(f"  {identical} distinct instances arrived byte-identical at storescp, {converted} converted")
        # A failure anywhere → non-zero exit; a non-DICOM file is reported and skipped.
        junk = os.path.join(work, "notes.txt")
        with open(junk, "w") as fjunk:
            fjunk.write("not dicom")
        with StoreScp(os.path.join(work, "r2")) as scp:
            p = run([ATRIUM, "send", f"127.0.0.1:{scp.port}", "--called", "STORESCP", junk, files[0]])
            check(p.returncode == 0, f"skip of a non-DICOM file should not fail the run: {p.stderr.decode()}")
            check(b"skipped" in p.stderr and b"notes.txt" in p.stderr, "non-DICOM file not reported")
        p = run([ATRIUM, "send", f"127.0.0.1:{scp.port}", "--called", "STORESCP", files[0]])
        check(p.returncode == 1, f"send to a stopped peer exited {p.returncode}")
        check(b"FAILED" in p.stderr, "failure not logged")
        p = run([ATRIUM, "echo", f"127.0.0.1:{scp.port}"])
        check(p.returncode == 3 and len(p.stderr.decode().strip().splitlines()) == 1,
              f"echo to a stopped peer: rc {p.returncode}, stderr {p.stderr!r}")
    finally:
        cleanup(work)


if __name__ == "__main__":
    main([test_dcmtk_senders_to_atrium_byte_identical, test_exact_bytes_to_atrium_stored_byte_identical,
          test_atrium_send_to_storescp_byte_identical])
