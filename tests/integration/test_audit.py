"""The audit trail (#15): PS3.15 A.5 audit messages (IHE ATNA) for stores, queries, retrievals,
web access, deletions, logins and refused associations, in the data folder's daily file, sent to a
syslog collector (RFC 5424 over UDP) and read back through GET /api/audit (admin only). Every
message must be well-formed XML naming the event, who asked, from where and the patient."""
import datetime
import os
import socket
import sys
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import AtriumServer, StoreScp, check, cleanup, main, make_mr_files, run, tempdir  # noqa: E402

ADMIN = ("auditor", "audit-pass-1")
VIEWER = ("reader", "reader-pass-1")


def parse(line):
    root = ET.fromstring(line)
    check(root.tag == "AuditMessage", f"not an AuditMessage: {line[:120]}")
    ev = root.find("EventIdentification")
    requestor = root.find("ActiveParticipant[@UserIsRequestor='true']")
    patient = root.find("ParticipantObjectIdentification[@ParticipantObjectTypeCode='1']")
    study = root.find("ParticipantObjectIdentification[@ParticipantObjectTypeCode='2']")
    typ = ev.find("EventTypeCode")
    desc = ev.find("EventOutcomeDescription")
    return {"id": ev.find("EventID").get("csd-code"), "action": ev.get("EventActionCode"),
            "outcome": ev.get("EventOutcomeIndicator"), "time": ev.get("EventDateTime"),
            "type": typ.get("csd-code") if typ is not None else "",
            "user": requestor.get("UserID") if requestor is not None else "",
            "address": requestor.get("NetworkAccessPointID") if requestor is not None else "",
            "patient": patient.get("ParticipantObjectID") if patient is not None else "",
            "study": study.get("ParticipantObjectID") if study is not None else "",
            "detail": desc.text if desc is not None else "",
            "source": root.find("AuditSourceIdentification").get("AuditSourceID")}


def find(messages, **want):
    return [m for m in messages if all(m[k] == v for k, v in want.items())]


def test_audit_trail():
    work = tempdir("audit")
    collector = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    collector.bind(("127.0.0.1", 0))
    collector.settimeout(0.2)
    try:
        files = make_mr_files(os.path.join(work, "in"), 2)
        with StoreScp(os.path.join(work, "received")) as scp:
            config = {"peers": [{"aet": "MODALITY", "host": "127.0.0.1", "port": 104},
                                {"aet": "STORESCP", "host": "127.0.0.1", "port": scp.port}],
                      "audit_syslog": f"udp://127.0.0.1:{collector.getsockname()[1]}"}
            users = ["--user", f"{ADMIN[0]}:{ADMIN[1]}:admin", "--user", f"{VIEWER[0]}:{VIEWER[1]}:viewer"]
            with AtriumServer(os.path.join(work, "data"), config=config, http=True, extra_args=users) as srv:
                dicom = ["127.0.0.1", str(srv.port)]
                run(["storescu", "-aet", "MODALITY", "-aec", "ATRIUM"] + dicom + files, check_rc=0, timeout=60)
                study = run(["dcmdump", "+P", "StudyInstanceUID", files[0]]).stdout.decode().split("[")[1].split("]")[0]
                run(["findscu", "-S", "-aet", "MODALITY", "-aec", "ATRIUM", "-k", "QueryRetrieveLevel=STUDY",
                     "-k", "PatientID=SYN001", "-k", "StudyInstanceUID"] + dicom, check_rc=0, timeout=60)
                run(["movescu", "-S", "-aet", "STORESCP", "-aec", "ATRIUM", "-aem", "STORESCP",
                     "-k", "QueryRetrieveLevel=STUDY", "-k", f"StudyInstanceUID={study}"] + dicom,
                    check_rc=0, timeout=60)
                p = run(["echoscu", "-aet", "STRANGER", "-aec", "ATRIUM"] + dicom, timeout=60)
                check(p.returncode != 0, "an unknown AE was accepted")
                st, _, _ = srv.http("GET", "/api/status", auth=(ADMIN[0], "wrong-password"))
                check(st == 401, f"wrong password: {st}")
                st, _, _ = srv.http("GET", "/dicom-web/studies?PatientID=SYN001", auth=VIEWER)
                check(st == 200, f"QIDO: {st}")
                st, _, _ = srv.http("GET", f"/dicom-web/studies/{study}/metadata", auth=VIEWER)
                check(st == 200, f"WADO metadata: {st}")
                st, _, _ = srv.http("GET", "/api/audit", auth=VIEWER)
                check(st == 403, f"a viewer read the audit trail: {st}")
                st, body, _ = srv.http("DELETE", f"/api/studies/{study}", auth=ADMIN)
                check(st == 200, f"delete: {st} {body}")

                st, body, _ = srv.http("GET", "/api/audit?patient=SYN001", auth=ADMIN)
                check(st == 200 and body["count"] == len(body["messages"]), f"GET /api/audit: {st} {body}")
                about = [parse(x) for x in body["messages"]]
                check(all(m["patient"] == "SYN001" for m in about), "patient filter let others through")
                stores = find(about, id="110104", action="C", user="MODALITY", address="127.0.0.1", study=study)
                check(len(stores) == 2 and all(m["outcome"] == "0" for m in stores), f"stores: {stores}")
                check(find(about, id="110112", user="MODALITY"), "C-FIND not audited with its patient")
                check(find(about, id="110112", user=VIEWER[0], address="127.0.0.1"), "QIDO not audited")
                check(find(about, id="110103", action="R", user=VIEWER[0], study=study), "WADO not audited")
                check(find(about, id="110104", action="R", user="STORESCP", study=study), "C-MOVE not audited")
                check(find(about, id="110105", action="D", user=ADMIN[0], study=study), "deletion not audited")
                st, body, _ = srv.http("GET", "/api/audit?since=2999-01-01", auth=ADMIN)
                check(st == 200 and body["count"] == 0, f"since in the future: {body}")
                st, body, _ = srv.http("GET", "/api/audit?since=yesterday", auth=ADMIN)
                check(st == 400 and "since" in body["error"], f"bad since: {st} {body}")
                st, body, _ = srv.http("GET", "/api/audit?limit=3", auth=ADMIN)
                check(st == 200 and body["count"] == 3, f"limit: {body}")
            # After the stop: the day's file holds every message, each one well-formed on one line.
            day = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
            with open(os.path.join(work, "data", "audit", f"{day}.xml"), encoding="utf-8") as f:
                lines = f.read().splitlines()
            trail = [parse(x) for x in lines]
            check(all(m["source"] == "ATRIUM" for m in trail), "audit source is not the AE title")
            check(find(trail, id="110100", type="110120") and find(trail, id="110100", type="110121"),
                  "application start and stop not audited")
            failed = find(trail, id="110114", type="110122", user=ADMIN[0], outcome="4")
            check(failed and failed[0]["address"] == "127.0.0.1", f"failed login not audited: {failed}")
            check(find(trail, id="110114", type="110122", user=VIEWER[0], outcome="0"), "login not audited")
            check(find(trail, id="110113", user="STRANGER", address="127.0.0.1"), "refused association not audited")
            check(find(trail, id="110113", user=VIEWER[0], type="110132"), "refused role not audited")
            check(find(trail, id="110101", user=ADMIN[0]), "reading the audit trail not audited")
            # The collector got the same messages as RFC 5424 syslog lines.
            received = []
            for _ in range(500):
                try:
                    received.append(collector.recv(65536).decode("utf-8"))
                except socket.timeout:
                    break
            check(len(received) == len(lines), f"syslog got {len(received)} messages, the file {len(lines)}")
            check(all(r.startswith("<85>1 ") and " atrium " in r and " IHE+RFC-3881 - \ufeff<AuditMessage>" in r
                      for r in received), f"not RFC 5424: {received[:1]}")
            check(sorted(r.split("\ufeff", 1)[1] for r in received) == sorted(lines), "syslog and file differ")
    finally:
        collector.close()
        cleanup(work)


class TlsCollector:
    """A syslog collector over TLS (RFC 5425: "LENGTH SP MESSAGE" frames) on a loopback port."""

    def __init__(self, cert):
        import ssl
        import threading
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*cert)
        self.sock = ctx.wrap_socket(socket.create_server(("127.0.0.1", 0)), server_side=True)
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.messages, self.stop = [], False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        import ssl
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, ssl.SSLError, OSError):
                continue
            conn.settimeout(0.5)
            buf = b""
            while not self.stop:
                try:
                    data = conn.recv(65536)
                except socket.timeout:
                    continue
                except (ssl.SSLError, OSError):
                    break
                if not data:
                    break
                buf += data
                while b" " in buf:
                    length, rest = buf.split(b" ", 1)
                    if len(rest) < int(length):
                        break
                    self.messages.append(rest[:int(length)].decode("utf-8"))
                    buf = rest[int(length):]
            conn.close()

    def close(self):
        self.stop = True
        self.thread.join(timeout=5)
        self.sock.close()


def test_syslog_over_tls():
    """RFC 5425: the collector's certificate is checked against tls_ca and the host dialled; every
    message of the file arrives framed; a collector with a certificate from elsewhere gets nothing
    and the log says why, while archiving goes on."""
    from test_tls import Pki
    work = tempdir("audit-tls")
    collectors = []
    try:
        pki, other = Pki(os.path.join(work, "pki")), Pki(os.path.join(work, "other"), name="Other CA")
        good = TlsCollector(pki.issue("collector", hosts=("127.0.0.1",)))
        stranger = TlsCollector(other.issue("collector", hosts=("127.0.0.1",)))
        collectors += [good, stranger]
        files = make_mr_files(os.path.join(work, "in"), 2)
        for collector, data in ((good, "good"), (stranger, "stranger")):
            config = {"audit_syslog": f"tls://127.0.0.1:{collector.port}", "tls_ca": pki.ca,
                      "accept_unknown_aets": True}
            with AtriumServer(os.path.join(work, data), config=config) as srv:
                run(["storescu", "-aec", "ATRIUM", "127.0.0.1", str(srv.port)] + files, check_rc=0, timeout=60)
                for _ in range(100):  # bounded: the sender is a thread of its own
                    if collector is stranger or len(collector.messages) >= 3:
                        break
                    time.sleep(0.1)
            audit_dir = os.path.join(work, data, "audit")
            lines = [x for f in sorted(os.listdir(audit_dir)) for x in open(os.path.join(audit_dir, f), encoding="utf-8")
                     .read().splitlines()]
            if collector is good:
                got = sorted(m.split("\ufeff", 1)[1] for m in good.messages)
                check(got == sorted(lines), f"TLS collector got {len(got)} messages, the file has {len(lines)}")
                check(all(m.startswith("<85>1 ") for m in good.messages), "not RFC 5424")
            else:
                check(not stranger.messages, f"a collector with an untrusted certificate got {len(stranger.messages)}")
                log = srv.log_text()
                check("audit syslog" in log and "certificate" in log, "no log line saying why the collector was refused")
                check(len(lines) >= 3, "the audit file stopped when the collector was refused")
    finally:
        for c in collectors:
            c.close()
        cleanup(work)


if __name__ == "__main__":
    main([test_audit_trail, test_syslog_over_tls])
