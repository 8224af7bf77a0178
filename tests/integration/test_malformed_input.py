"""Malformed input never crashes the server and never damages what is stored: garbage on the
socket, a PDU announcing a huge length, truncated data sets, garbage after the preamble,
lengths past the end, wrong VRs, a data set cut off by a dropped connection."""
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import (EXPLICIT_LE, IMPLICIT_LE, MR_STORAGE, AtriumServer, RawAssociation, associate_rq,  # noqa: E402
                            c_store_rq, check, cleanup, dataset_bytes, echo_ok, main, mr_dataset, p_data, tempdir)


def raw_socket(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def drain(s):
    try:
        while s.recv(65536):
            pass
    except OSError:
        pass
    s.close()


def test_hostile_bytes_never_crash_or_damage():
    work = tempdir("malformed")
    try:
        with AtriumServer(os.path.join(work, "data"), config={"artim_timeout_s": 3, "dimse_timeout_s": 5}) as srv:
            # Something worth protecting first.
            a = RawAssociation(srv.port, contexts=[(1, MR_STORAGE, [IMPLICIT_LE])])
            check(a.store(1, MR_STORAGE, "1.2.3.50", dataset_bytes(mr_dataset("1.2.3.50")))[0] == 0, "setup store")
            a.release()
            before = srv.instances()

            cases = {}
            # 1. random garbage instead of an A-ASSOCIATE-RQ
            s = raw_socket(srv.port)
            s.sendall(os.urandom(4096))
            drain(s)
            # 2. an A-ASSOCIATE-RQ announcing a 2 GiB body
            s = raw_socket(srv.port)
            s.sendall(struct.pack(">BBI", 1, 0, 0x7FFFFFFF) + b"\0" * 100)
            drain(s)
            # 3. a valid association, then a P-DATA PDU announcing 4 GiB - 1
            a = RawAssociation(srv.port, contexts=[(1, MR_STORAGE, [IMPLICIT_LE])])
            a.send_raw(struct.pack(">BBI", 4, 0, 0xFFFFFFFF) + b"\0" * 64)
            drain(a.sock)
            # 4. a truncated A-ASSOCIATE-RQ then silence (ARTIM must end it)
            s = raw_socket(srv.port)
            s.sendall(associate_rq("ATRIUM", "X", [(1, MR_STORAGE, [IMPLICIT_LE])])[:40])
            drain(s)
            # 5. data sets that are wrong in many ways
            good = dataset_bytes(mr_dataset("1.2.3.51"))
            bad_payloads = {
                "truncated": good[: len(good) // 2] + (b"\0" if len(good) // 2 % 2 else b""),
                "garbage": os.urandom(2000),
                "length past end": good + struct.pack("<HHI", 0x0010, 0x0020, 0x10000000) + b"XY",
                "wrong VR (explicit bytes on an implicit context)": dataset_bytes(mr_dataset("1.2.3.51"), implicit=False),
                "undefined length without delimiter": good + struct.pack("<HHI", 0x0008, 0x1140, 0xFFFFFFFF)
                + struct.pack("<HHI", 0xFFFE, 0xE000, 0xFFFFFFFF) + b"\x08\x00\x50\x11\x04\x00\x00\x001.2\0",
                "empty": b"",
            }
            for name, payload in bad_payloads.items():
                a = RawAssociation(srv.port, contexts=[(1, MR_STORAGE, [IMPLICIT_LE])])
                status, comment = a.store(1, MR_STORAGE, "1.2.3.51", payload)
                a.release()
                cases[name] = status
                check(status is None or status != 0 or name.startswith("wrong VR"),
                      f"{name}: accepted as success")
            # 6. a command, half a data set, then the connection drops
            a = RawAssociation(srv.port, contexts=[(1, MR_STORAGE, [IMPLICIT_LE])])
            a.send_raw(p_data(1, c_store_rq(MR_STORAGE, "1.2.3.52"), True))
            a.send_raw(p_data(1, good[:100], False, last=False))
            a.close()
            # 7. a data set PDV before any command
            a = RawAssociation(srv.port, contexts=[(1, MR_STORAGE, [IMPLICIT_LE])])
            a.send_raw(p_data(1, good, False))
            drain(a.sock)
            # 8. Specific Character Set sent as LT (explicit VR): the text decoder once asked for value
            #    after value of it and never heard "no more" (fuzz_store_dataset found it): stored at once.
            charset_lt = struct.pack("<HH2sH", 0x0008, 0x0005, b"LT", 10) + b"ISO_IR 100"
            a = RawAssociation(srv.port, contexts=[(1, MR_STORAGE, [EXPLICIT_LE])])
            started = time.time()
            status, _ = a.store(1, MR_STORAGE, "1.2.3.53", charset_lt + dataset_bytes(mr_dataset("1.2.3.53"),
                                                                                   implicit=False))
            a.release()
            check(status == 0 and time.time() - started < 10, f"charset as LT: {status} after {time.time() - started:.1f} s")

            check(srv.alive(), "server crashed")
            check(echo_ok(srv.port), "server stopped answering C-ECHO")
            after = srv.instances()
            for uid, (path, size, checksum, ts) in before.items():
                check(after.get(uid) == (path, size, checksum, ts), f"{uid} changed")
                check(os.path.getsize(path) == size, f"{uid}: file damaged")
            unexpected = set(after) - set(before) - {"1.2.3.51", "1.2.3.53"}
            check(not unexpected, f"unexpected instances indexed: {unexpected}")
            leftovers = [f for _, _, fs in os.walk(os.path.join(srv.data_dir, "storage")) for f in fs
                         if f.endswith(".part")]
            check(not leftovers, f"temp files left behind: {leftovers}")
            print("  statuses:", {k: (hex(v) if v is not None else "aborted") for k, v in cases.items()})
    finally:
        cleanup(work)


def test_silent_peers_do_not_block_others():
    work = tempdir("silent")
    try:
        with AtriumServer(os.path.join(work, "data"), config={"artim_timeout_s": 20}) as srv:
            silent = [raw_socket(srv.port) for _ in range(2)]
            time.sleep(0.3)
            t = time.time()
            check(echo_ok(srv.port), "echo failed while silent peers were connected")
            waited = time.time() - t
            check(waited < 10, f"echo waited {waited:.1f}s behind silent peers (ARTIM is 20s)")
            for s in silent:
                s.close()
    finally:
        cleanup(work)


if __name__ == "__main__":
    main([test_hostile_bytes_never_crash_or_damage, test_silent_peers_do_not_block_others])
