"""Every C-STORE failure status provoked for real, and association-level refusals:
A900 (announced UIDs differ from the data set), C000 (unparsable, no SOP Instance UID, a GSPS
failing its checks), A700 (a full filesystem), a non-storage abstract syntax refused, calling
and called AE titles not recognized; duplicates keep the first copy (or overwrite by config)."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import (IMPLICIT_LE, MR_STORAGE, AtriumServer, RawAssociation, check, cleanup, skip,  # noqa: E402
                            dataset_bytes, echo_ok, main, make_mr_files, mr_dataset, run, split_part10, tempdir)

PRINT = "1.2.840.10008.5.1.1.1"  # Basic Film Session (printing): not offered


def store_one(port, sop_class, announced_uid, payload, ts=IMPLICIT_LE):
    a = RawAssociation(port, contexts=[(1, sop_class, [ts])])
    check(a.accepted.get(1, (9,))[0] == 0, f"context for {sop_class} not accepted: {a.accepted}")
    status, comment = a.store(1, sop_class, announced_uid, payload)
    a.release()
    return status, comment


def test_uid_mismatch_is_a900_and_nothing_is_kept():
    work = tempdir("a900")
    try:
        with AtriumServer(os.path.join(work, "data")) as srv:
            ds = dataset_bytes(mr_dataset("1.2.3.4.100"))
            st, comment = store_one(srv.port, MR_STORAGE, "1.2.3.4.999", ds)
            check(st == 0xA900, f"instance UID mismatch answered {st:#06x}")
            check(comment.startswith("SOP Instance UID differs: data set 1.2.3.4.100"), f"error comment does not say why: {comment!r}")
            st, _ = store_one(srv.port, "1.2.840.10008.5.1.4.1.1.2", "1.2.3.4.100", ds)  # announced as CT
            check(st == 0xA900, f"class mismatch answered {st:#06x}")
            check(srv.instances() == {}, "a rejected instance was indexed")
            files = [f for _, _, fs in os.walk(os.path.join(srv.data_dir, "storage")) for f in fs]
            check(files == [], f"files left behind: {files}")
            st, _ = store_one(srv.port, MR_STORAGE, "1.2.3.4.100", ds)
            check(st == 0, f"the same instance announced correctly answered {st:#06x}")
    finally:
        cleanup(work)


def test_unparsable_and_uidless_are_c000():
    work = tempdir("c000")
    try:
        with AtriumServer(os.path.join(work, "data")) as srv:
            garbage = bytes(range(256)) * 8
            st, comment = store_one(srv.port, MR_STORAGE, "1.2.3.5", garbage)
            check(st & 0xF000 == 0xC000, f"garbage answered {st:#06x}")
            ds = mr_dataset("1.2.3.6")
            del ds.SOPInstanceUID
            st, comment = store_one(srv.port, MR_STORAGE, "1.2.3.6", dataset_bytes(ds))
            check(st & 0xF000 == 0xC000, f"no SOP Instance UID answered {st:#06x}")
            check("SOP Instance UID" in comment, f"comment: {comment!r}")
            # an element whose length runs past the end of the data set
            good = dataset_bytes(mr_dataset("1.2.3.7"))
            cut = good + b"\x10\x00\x10\x00" + (0x7FFF0).to_bytes(4, "little") + b"AB"
            st, _ = store_one(srv.port, MR_STORAGE, "1.2.3.7", cut)
            check(st & 0xF000 == 0xC000, f"length past the end answered {st:#06x}")
            check(srv.instances() == {}, "a rejected instance was indexed")
            check(echo_ok(srv.port), "server stopped answering")
    finally:
        cleanup(work)


def test_presentation_state_checked():
    work = tempdir("gsps")
    try:
        img = make_mr_files(os.path.join(work, "img"), 1)[0]
        gsps = os.path.join(work, "gsps.dcm")
        run(["dcmpsmk", img, gsps], check_rc=0)
        meta, ts, good = split_part10(gsps)
        sys.path.insert(0, "/usr/lib/python3/dist-packages")
        import pydicom
        ds = pydicom.dcmread(gsps)
        gsps_class, gsps_uid = str(ds.SOPClassUID), str(ds.SOPInstanceUID)
        with AtriumServer(os.path.join(work, "data")) as srv:
            bad = ds.copy()
            bad.SOPInstanceUID = gsps_uid + ".2"
            del bad.DisplayedAreaSelectionSequence
            del bad.ReferencedSeriesSequence
            st, comment = store_one(srv.port, gsps_class, gsps_uid + ".2", dataset_bytes(bad, implicit=False),
                                    ts="1.2.840.10008.1.2.1")
            check(st & 0xF000 == 0xC000, f"invalid GSPS answered {st:#06x}")
            st, comment = store_one(srv.port, gsps_class, gsps_uid, good, ts=ts)
            check(st == 0, f"a GSPS made by dcmpsmk answered {st:#06x} {comment}")
            check(list(srv.instances()) == [gsps_uid], "index does not hold just the valid GSPS")
    finally:
        cleanup(work)


def test_full_disk_is_a700_and_stored_data_survives():
    if os.geteuid() != 0:
        skip("the full-disk test needs root to mount a small tmpfs")
        return
    work = tempdir("a700")
    mnt = os.path.join(work, "small")
    os.makedirs(mnt)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt], capture_output=True)
    if r.returncode != 0:  # root without CAP_SYS_ADMIN (a container)
        cleanup(work)
        skip(f"the full-disk test cannot mount a tmpfs: {r.stderr.decode().strip()}")
        return
    try:
        files = make_mr_files(os.path.join(work, "src"), 60, rows=128, cols=128)  # 32 KB each
        # min_free_gb 0: the disk itself runs out (ENOSPC), not the reserve (tested in test_operations).
        with AtriumServer(os.path.join(mnt, "data"), config={"min_free_gb": 0}) as srv:
            statuses = []
            for f in files:
                meta, ts, ds = split_part10(f)
                st, comment = store_one(srv.port, MR_STORAGE, meta[(2, 3)].rstrip(b"\0").decode(), ds,
                                        ts="1.2.840.10008.1.2.1")
                statuses.append(st)
            check(0 in statuses, "nothing was stored before the disk filled")
            check(0xA700 in statuses, f"no A700 from a full disk: {[hex(s) for s in statuses]}")
            check(set(statuses) <= {0, 0xA700}, f"unexpected statuses {set(map(hex, statuses))}")
            check(srv.alive() and echo_ok(srv.port), "server did not survive a full disk")
            stored = srv.instances()
            acknowledged = statuses.count(0)
            check(len(stored) == acknowledged, f"{len(stored)} indexed, {acknowledged} acknowledged")
            for uid, (path, size, _, _) in stored.items():
                check(os.path.getsize(path) == size, f"{uid}: stored file damaged")
            with srv.db() as c:
                check(c.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "index damaged")
        print(f"  {statuses.count(0)} stored, then {statuses.count(0xA700)} refused with A700")
    finally:
        subprocess.run(["umount", "-l", mnt])
        cleanup(work)


def test_association_refusals():
    work = tempdir("assoc")
    try:
        cfg = {"allowed_calling_aets": ["GOODSCU"]}
        with AtriumServer(os.path.join(work, "data"), config=cfg) as srv:
            p = run(["echoscu", "-aet", "GOODSCU", "-aec", "ATRIUM", "127.0.0.1", str(srv.port)])
            check(p.returncode == 0, "allowed calling AE refused")
            p = run(["echoscu", "-aet", "BADSCU", "-aec", "ATRIUM", "127.0.0.1", str(srv.port)])
            out = (p.stdout + p.stderr).decode()
            check(p.returncode != 0 and "Calling AE Title Not Recognized" in out, f"bad calling AE: {out}")
            p = run(["echoscu", "-aet", "GOODSCU", "-aec", "NOTME", "127.0.0.1", str(srv.port)])
            out = (p.stdout + p.stderr).decode()
            check(p.returncode != 0 and "Called AE Title Not Recognized" in out, f"bad called AE: {out}")
            a = RawAssociation(srv.port, calling="GOODSCU",
                               contexts=[(1, PRINT, [IMPLICIT_LE]), (3, MR_STORAGE, [IMPLICIT_LE]),
                                         (5, MR_STORAGE, ["1.2.3.4.5.6"])])
            check(a.accepted.get(1, (None,))[0] == 3, f"print context not refused as abstract syntax: {a.accepted}")
            check(a.accepted.get(3, (None,))[0] == 0, "storage context refused")
            check(a.accepted.get(5, (None,))[0] == 4, "unknown transfer syntax not refused as such")
            a.release()
            check(srv.alive(), "server died")
    finally:
        cleanup(work)


def test_association_limit_refuses_transiently():
    work = tempdir("limit")
    try:
        with AtriumServer(os.path.join(work, "data"), extra_args=["--max-associations", "2"]) as srv:
            held = [RawAssociation(srv.port, contexts=[(1, MR_STORAGE, [IMPLICIT_LE])]) for _ in range(2)]
            check(all(a.result_type == 2 for a in held), "the first two associations were not accepted")
            extra = RawAssociation(srv.port, contexts=[(1, MR_STORAGE, [IMPLICIT_LE])])
            check(extra.result_type == 3, f"third association: PDU type {extra.result_type}, expected A-ASSOCIATE-RJ")
            result, source, reason = extra.body[1], extra.body[2], extra.body[3]
            check((result, source, reason) == (2, 3, 2),
                  f"reject (result, source, reason) = {(result, source, reason)}, expected transient/local limit")
            extra.close()
            for a in held:
                a.release()
            time.sleep(0.3)
            check(echo_ok(srv.port), "no association possible after the others ended")
    finally:
        cleanup(work)


def test_duplicates_keep_first_or_overwrite():
    work = tempdir("dup")
    try:
        first = dataset_bytes(mr_dataset("1.2.3.8", name="First^Copy"))
        second = dataset_bytes(mr_dataset("1.2.3.8", name="Second^Copy^Longer"))
        for policy, expected in (("keep-first", first), ("overwrite", second)):
            with AtriumServer(os.path.join(work, policy), config={"duplicate_policy": policy}) as srv:
                check(store_one(srv.port, MR_STORAGE, "1.2.3.8", first)[0] == 0, "first copy refused")
                check(store_one(srv.port, MR_STORAGE, "1.2.3.8", second)[0] == 0, "second copy not answered success")
                stored = srv.instances()
                check(len(stored) == 1, f"{len(stored)} rows for one UID")
                _, _, ds = split_part10(stored["1.2.3.8"][0])
                check(ds == expected, f"{policy}: wrong copy kept")
                check("duplicate" in srv.log_text(), "duplicate not logged")
    finally:
        cleanup(work)


if __name__ == "__main__":
    main([test_uid_mismatch_is_a900_and_nothing_is_kept, test_unparsable_and_uidless_are_c000,
          test_presentation_state_checked, test_full_disk_is_a700_and_stored_data_survives,
          test_association_refusals, test_association_limit_refuses_transiently,
          test_duplicates_keep_first_or_overwrite])
