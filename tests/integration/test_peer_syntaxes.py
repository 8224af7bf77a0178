"""Per-peer transfer syntaxes: a peer set to Implicit VR only, to Explicit Big Endian, or to JPEG
lossless, JPEG-LS lossless or JPEG 2000 lossless receives exactly that from pushes (DCMTK's storescp
writes what it received), compressed on send from the stored uncompressed files, with the pixels
unchanged; accept_only_implicit makes the archive accept Implicit VR Little Endian only."""
import glob
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import (AtriumServer, StoreScp, check, cleanup, main, make_mr_files, run,  # noqa: E402
                            split_part10, tempdir)

sys.path.insert(0, "/usr/lib/python3/dist-packages")
import pydicom  # noqa: E402

PEERS = {"ILE": ("implicit", "1.2.840.10008.1.2"), "BIG": ("big-endian", "1.2.840.10008.1.2.2"),
         "JPEG": ("jpeg-lossless", "1.2.840.10008.1.2.4.70"), "JLS": ("jpeg-ls-lossless", "1.2.840.10008.1.2.4.80"),
         "J2K": ("j2k-lossless", "1.2.840.10008.1.2.4.90")}


def pixels(path):
    """Uncompressed pixel bytes: DCMTK decompresses JPEG and JPEG-LS, GDCM JPEG 2000."""
    ts = split_part10(path)[1]
    if ts in ("1.2.840.10008.1.2.4.70", "1.2.840.10008.1.2.4.80"):
        out = path + ".raw"
        run(["dcmdjpeg" if ts.endswith(".70") else "dcmdjpls", path, out], check_rc=0)
        path = out
    elif ts == "1.2.840.10008.1.2.4.90":
        out = path + ".raw"
        run(["gdcmconv", "--raw", path, out], check_rc=0)
        path = out
    ds = pydicom.dcmread(path)
    # Values, whatever the byte order, within Bits Stored (the test images set bits above it, which
    # JPEG-LS, rightly, does not carry).
    a = ds.pixel_array & ((1 << int(ds.BitsStored)) - 1)
    return a.astype(a.dtype.newbyteorder("<")).tobytes()


def test_each_peer_receives_its_syntax():
    work = tempdir("peer-ts")
    try:
        files = make_mr_files(os.path.join(work, "in"), 3)
        study = str(pydicom.dcmread(files[0]).StudyInstanceUID)
        scps = {aet: StoreScp(os.path.join(work, aet), aet=aet) for aet in PEERS}
        for s in scps.values():
            s.__enter__()
        try:
            cfg = {"peers": [{"aet": aet, "host": "127.0.0.1", "port": scps[aet].port,
                              "transfer_syntaxes": [name]} for aet, (name, _) in PEERS.items()],
                   "accept_unknown_aets": True}
            with AtriumServer(os.path.join(work, "data"), http=True, config=cfg,
                              extra_args=["--user", "adm:pw:admin"]) as srv:
                run(["storescu", "-aec", "ATRIUM", "127.0.0.1", str(srv.port), *files], check_rc=0)
                for aet in PEERS:
                    st, body, _ = srv.http("POST", "/api/push", body={"study": study, "to": aet}, auth=("adm", "pw"))
                    check(st == 201, f"push to {aet}: {st} {body}")
                deadline = time.time() + 120
                while time.time() < deadline:
                    jobs = srv.http("GET", "/api/jobs", auth=("adm", "pw"))[1] or []
                    if len(jobs) == len(PEERS) and all(j["state"] in ("done", "failed") for j in jobs):
                        break
                    time.sleep(0.3)
                check(len(jobs) == len(PEERS) and all(j["state"] == "done" for j in jobs),
                      f"{[(j['destination'], j['state'], j['last_error']) for j in jobs]}\n{srv.log_text()[-1500:]}")
            originals = sorted(pixels(f) for f in files)
            for aet, (name, ts) in PEERS.items():
                got = sorted(glob.glob(os.path.join(work, aet, "*")))
                got = [g for g in got if not g.endswith(".raw")]
                check(len(got) == 3, f"{aet}: {len(got)} files; storescp said: "
                      f"{open(os.path.join(work, f'storescp-{scps[aet].port}.log'), errors='replace').read()[-800:]}")
                syntaxes = {split_part10(g)[1] for g in got}
                check(syntaxes == {ts}, f"{aet} ({name}) received {syntaxes}")
                check(sorted(pixels(g) for g in got) == originals, f"{aet}: the same pixels")
        finally:
            for s in scps.values():
                s.__exit__(None, None, None)
    finally:
        cleanup(work)


def test_accept_only_implicit():
    work = tempdir("only-implicit")
    try:
        files = make_mr_files(os.path.join(work, "in"), 2)
        with AtriumServer(os.path.join(work, "data"), config={"accept_only_implicit": True}) as srv:
            # storescu -xe proposes Explicit VR LE first, then Big Endian and Implicit.
            r = run(["storescu", "-xe", "-v", "-aec", "ATRIUM", "127.0.0.1", str(srv.port), *files])
            check(r.returncode == 0, r.stderr.decode())
            check({v[3] for v in srv.instances().values()} == {"1.2.840.10008.1.2"}, srv.instances())
            r = run(["echoscu", "-aec", "ATRIUM", "127.0.0.1", str(srv.port)])
            check(r.returncode == 0, "C-ECHO in Implicit VR")
        bad = {"peers": [{"aet": "X", "host": "127.0.0.1", "port": 104, "transfer_syntaxes": ["mp3"]}]}
        srv = AtriumServer(os.path.join(work, "bad"), config=bad)
        try:
            srv.start()
            check(False, "an unknown transfer syntax must be refused")
        except Exception:
            check("unknown transfer syntax 'mp3'" in srv.log_text(), srv.log_text()[-300:])
        finally:
            srv.stop()
    finally:
        cleanup(work)


if __name__ == "__main__":
    main([test_each_peer_receives_its_syntax, test_accept_only_implicit])
