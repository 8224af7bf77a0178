"""Several DICOM listeners (`"listeners"` in the config): store on one port, query/retrieve on another,
the worklist on a third under its own AE title; each port refuses the services it does not offer
(DCMTK's storescu, findscu and echoscu against each), C-ECHO is answered everywhere, a wrong called
AE title is rejected; a bad listener configuration is refused at start."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import (AtriumServer, check, cleanup, findscu, free_port, main, make_mr_files, run,  # noqa: E402
                           tempdir)


def test_each_port_offers_its_services():
    work = tempdir("listeners")
    try:
        files = make_mr_files(os.path.join(work, "in"), 2)
        store_port, qr_port, wl_port = free_port(), free_port(), free_port()
        cfg = {"listeners": [{"port": store_port, "services": ["store", "commitment"]},
                             {"port": qr_port, "aets": ["ATRIUM", "ATRIUM_QR"], "services": ["query", "retrieve"]},
                             {"port": wl_port, "aets": ["ATRIUM_WL"], "services": ["worklist"]}]}
        srv = AtriumServer(os.path.join(work, "data"), config=cfg)
        srv.port = store_port  # the first listener: what AtriumServer waits for
        with srv:
            from atrium_testlib import wait_for_port
            wait_for_port(qr_port, srv.proc)
            wait_for_port(wl_port, srv.proc)
            ok = run(["storescu", "-aec", "ATRIUM", "127.0.0.1", str(store_port), *files])
            check(ok.returncode == 0, ok.stderr.decode())
            refused = run(["storescu", "-aec", "ATRIUM", "127.0.0.1", str(qr_port), files[0]])
            check(refused.returncode != 0, "storing on the query/retrieve port is refused")
            check("store is not offered on port" in srv.log_text(), srv.log_text()[-500:])
            status, rsps = findscu(qr_port, ["QueryRetrieveLevel=STUDY", "StudyInstanceUID"])
            check(status == "Success" and len(rsps) == 1, (status, rsps))
            status, rsps = findscu(qr_port, ["QueryRetrieveLevel=STUDY", "StudyInstanceUID"], called="ATRIUM_QR")
            check(status == "Success" and len(rsps) == 1, "the port's second AE title")
            r = run(["findscu", "-S", "-aec", "ATRIUM", "-k", "QueryRetrieveLevel=STUDY", "127.0.0.1", str(store_port)])
            check(r.returncode != 0, "no query on the store port")
            status, _ = findscu(wl_port, ["PatientName", "ScheduledProcedureStepSequence[0].Modality=MR"], root="-W",
                                called="ATRIUM_WL")
            check(status == "Success", f"worklist on its port: {status}")
            r = run(["findscu", "-W", "-aec", "ATRIUM", "-k", "PatientName", "127.0.0.1", str(wl_port)])
            check(r.returncode != 0 and b"Called AE Title Not Recognized" in r.stdout + r.stderr,
                  "the worklist port answers to its own AE title only")
            for port, aet in ((store_port, "ATRIUM"), (qr_port, "ATRIUM_QR"), (wl_port, "ATRIUM_WL")):
                e = run(["echoscu", "-aec", aet, "127.0.0.1", str(port)])
                check(e.returncode == 0, f"C-ECHO on {port}")
        for bad, why in [({"listeners": [{"port": 0}]}, "needs a 'port'"),
                         ({"listeners": [{"port": 11200, "services": ["print"]}]}, "unknown service 'print'"),
                         ({"listeners": [{"port": 11201}, {"port": 11201}]}, "two listeners on port 11201"),
                         ({"listeners": [{"port": 11202, "tls": True}]}, "needs 'tls_cert' and 'tls_key'")]:
            s = AtriumServer(os.path.join(work, "bad"), config=bad)
            try:
                s.start()
                check(False, f"{bad} must be refused")
            except Exception:
                check(why in s.log_text(), (why, s.log_text()[-300:]))
            finally:
                s.stop()
    finally:
        cleanup(work)


if __name__ == "__main__":
    main([test_each_port_offers_its_services])
