"""DICOM TLS (#15): the archive's TLS port with DCMTK's and Atrium's own clients, BCP 195 profiles,
mutual authentication, TLS on the main port, forwarding to a TLS peer (DCMTK storescp +tls), and
certificates that must be refused — untrusted, expired, issued for another host — each with a
line that says why. The certificates are made here by a throw-away CA (python3-cryptography)."""
import datetime
import json
import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import (ATRIUM, AtriumServer, StoreScp, check, cleanup, dataset_uid, free_port,  # noqa: E402
                            main, make_mr_files, run, tempdir, wait_for_port)

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402
import ipaddress  # noqa: E402
import time  # noqa: E402


class Pki:
    """A CA and certificates it issues, written as PEM files into a folder."""

    def __init__(self, folder, name="Atrium Test CA"):
        self.folder = folder
        os.makedirs(folder, exist_ok=True)
        self.key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        self.cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                     .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(now - datetime.timedelta(days=1))
                     .not_valid_after(now + datetime.timedelta(days=30))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                     .sign(self.key, hashes.SHA256()))
        self.ca = self._write(name.replace(" ", "_") + ".pem", self.cert.public_bytes(serialization.Encoding.PEM))

    def _write(self, name, data):
        path = os.path.join(self.folder, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def issue(self, name, hosts=("localhost", "127.0.0.1"), expired=False):
        """(certificate, key) files of a certificate for `name` valid for `hosts`."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        start, end = ((now - datetime.timedelta(days=30), now - datetime.timedelta(days=1)) if expired
                      else (now - datetime.timedelta(days=1), now + datetime.timedelta(days=30)))
        sans = [x509.IPAddress(ipaddress.ip_address(h)) if h[0].isdigit() else x509.DNSName(h) for h in hosts]
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
                .issuer_name(self.cert.subject).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
                .add_extension(x509.SubjectAlternativeName(sans), critical=False)
                .sign(self.key, hashes.SHA256()))
        key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                    serialization.NoEncryption())
        return (self._write(name + ".pem", cert.public_bytes(serialization.Encoding.PEM)),
                self._write(name + ".key", key_pem))


def tls_server(work, pki, cert, require_client=False, same_port=False, extra_config=None, profile="bcp195"):
    os.makedirs(work, exist_ok=True)
    tls_port = free_port()
    config = {"tls_port": tls_port, "tls_cert": cert[0], "tls_key": cert[1], "tls_ca": [pki.ca],
              "tls_require_client_cert": require_client, "tls_profile": profile}
    config.update(extra_config or {})
    srv = AtriumServer(os.path.join(work, "data"), config=config)
    if same_port:
        config["tls_port"] = srv.port  # TLS on the main port: no plain listener
    srv.tls_port = config["tls_port"]
    return srv


def atrium_tls(args, pki, client=None, profile=None):
    extra = ["--tls", "--tls-ca", pki.ca, "--called", "ATRIUM", "--timeout", "10"]
    if client:
        extra += ["--tls-cert", client[0], "--tls-key", client[1]]
    if profile:
        extra += ["--tls-profile", profile]
    return run([ATRIUM] + args + extra, timeout=60)


def test_tls_port_with_dcmtk_and_atrium_clients():
    work = tempdir("tls")
    try:
        pki = Pki(os.path.join(work, "pki"))
        server_cert = pki.issue("localhost")
        client_cert = pki.issue("MODALITY", hosts=("modality.example",))
        files = make_mr_files(os.path.join(work, "in"), 3)
        srv = tls_server(work, pki, server_cert)
        with srv:
            wait_for_port(srv.tls_port, srv.proc)
            # DCMTK's own TLS clients against our TLS port.
            p = run(["echoscu", "-aec", "ATRIUM", "+tls", client_cert[1], client_cert[0], "+cf", pki.ca,
                     "127.0.0.1", str(srv.tls_port)], timeout=60)
            check(p.returncode == 0, f"echoscu +tls failed: {p.stderr.decode()[-400:]}")
            p = run(["storescu", "-aec", "ATRIUM", "+tls", client_cert[1], client_cert[0], "+cf", pki.ca,
                     "127.0.0.1", str(srv.tls_port), files[0]], timeout=60)
            check(p.returncode == 0 and len(srv.instances()) == 1, f"storescu +tls failed: {p.stderr.decode()[-400:]}")
            # Ours, by name and by address (the certificate holds both), and the non-downgrading profile.
            for host in ("127.0.0.1", "localhost"):
                p = atrium_tls(["echo", f"{host}:{srv.tls_port}"], pki)
                check(p.returncode == 0, f"atrium echo --tls to {host} failed: {p.stderr.decode()}")
            p = atrium_tls(["echo", f"127.0.0.1:{srv.tls_port}"], pki, profile="bcp195-nd")
            check(p.returncode == 0, f"atrium echo --tls-profile bcp195-nd failed: {p.stderr.decode()}")
            p = atrium_tls(["send", f"127.0.0.1:{srv.tls_port}"] + files[1:], pki)
            check(p.returncode == 0 and len(srv.instances()) == 3, f"atrium send --tls failed: {p.stderr.decode()}")
            p = atrium_tls(["find", f"127.0.0.1:{srv.tls_port}", "--json", "--key", "StudyInstanceUID"], pki)
            check(p.returncode == 0 and len(json.loads(p.stdout)) == 1, f"atrium find --tls: {p.stderr.decode()}")
            p = run(["findscu", "-S", "-aec", "ATRIUM", "+tls", client_cert[1], client_cert[0], "+cf", pki.ca,
                     "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID", "127.0.0.1", str(srv.tls_port)],
                    timeout=60)
            check(p.returncode == 0 and p.stderr.decode().count("(0020,000d)") == 1,
                  f"findscu +tls: {p.returncode} {p.stderr.decode()[-400:]}")
            # Plain DICOM to the TLS port fails; the plain port still serves plain DICOM.
            p = run(["echoscu", "-to", "5", "-aec", "ATRIUM", "127.0.0.1", str(srv.tls_port)], timeout=60)
            check(p.returncode != 0, "plain C-ECHO on the TLS port succeeded")
            p = run(["echoscu", "-aec", "ATRIUM", "127.0.0.1", str(srv.port)], timeout=60)
            check(p.returncode == 0, "the plain port stopped serving")
            check(srv.alive(), "server alive")
    finally:
        cleanup(work)


def test_refused_server_certificates_say_why():
    work = tempdir("tls-refused")
    try:
        pki = Pki(os.path.join(work, "pki"))
        other_ca = Pki(os.path.join(work, "other"), name="Somebody Else CA")
        cases = [("untrusted", other_ca, other_ca.issue("localhost"), "self-signed certificate"),
                 ("expired", pki, pki.issue("old", expired=True), "certificate has expired"),
                 ("wrong host", pki, pki.issue("pacs.example", hosts=("pacs.example",)), "mismatch")]
        for what, issuer, cert, why in cases:
            srv = tls_server(os.path.join(work, what.replace(" ", "-")), issuer, cert)
            with srv:
                wait_for_port(srv.tls_port, srv.proc)
                p = atrium_tls(["echo", f"127.0.0.1:{srv.tls_port}"], pki)
                err = p.stderr.decode()
                check(p.returncode == 3, f"{what}: atrium echo exit {p.returncode}, wanted 3")
                check(len(err.strip().splitlines()) == 1 and why in err and "certificate refused" in err,
                      f"{what}: stderr should say '{why}' on one line: {err!r}")
    finally:
        cleanup(work)


def test_mutual_authentication():
    work = tempdir("tls-mutual")
    try:
        pki = Pki(os.path.join(work, "pki"))
        stranger = Pki(os.path.join(work, "stranger"), name="Stranger CA")
        srv = tls_server(work, pki, pki.issue("localhost"), require_client=True)
        with srv:
            wait_for_port(srv.tls_port, srv.proc)
            p = atrium_tls(["echo", f"127.0.0.1:{srv.tls_port}"], pki)
            check(p.returncode == 3, f"no client certificate: exit {p.returncode}")
            p = atrium_tls(["echo", f"127.0.0.1:{srv.tls_port}"], pki, client=stranger.issue("INTRUDER"))
            check(p.returncode == 3, f"untrusted client certificate: exit {p.returncode}")
            p = atrium_tls(["echo", f"127.0.0.1:{srv.tls_port}"], pki, client=pki.issue("MODALITY"))
            check(p.returncode == 0, f"trusted client certificate refused: {p.stderr.decode()}")
            with open(srv.log_path, "rb") as f:
                log = f.read().decode(errors="replace")
            check("client certificate" in log and "INTRUDER" in log,
                  "the server log names the refused client certificate and why")
            check("did not return a certificate" in log or "no certificate" in log.lower(),
                  "the server log says a client sent no certificate")
    finally:
        cleanup(work)


def test_tls_only_on_the_main_port_and_forwarding_to_a_tls_peer():
    work = tempdir("tls-main")
    try:
        pki = Pki(os.path.join(work, "pki"))
        server_cert = pki.issue("localhost")
        receiver_cert = pki.issue("receiver")
        out = os.path.join(work, "received")
        files = make_mr_files(os.path.join(work, "in"), 2)
        tls_args = ["+tls", receiver_cert[1], receiver_cert[0], "+cf", pki.ca]
        with StoreScp(out, extra=tls_args) as receiver:
            config = {"peers": [{"aet": "STORESCP", "host": "127.0.0.1", "port": receiver.port, "tls": True}],
                      "retry": {"max_attempts": 20, "initial_delay_s": 1, "max_delay_s": 2},
                      "accept_unknown_aets": True}
            srv = tls_server(work, pki, server_cert, same_port=True, extra_config=config)
            srv.extra_args += ["--forward", "STORESCP"]
            with srv:
                p = run(["echoscu", "-to", "5", "-aec", "ATRIUM", "127.0.0.1", str(srv.port)], timeout=60)
                check(p.returncode != 0, "plain DICOM accepted on a TLS-only main port")
                p = atrium_tls(["send", f"127.0.0.1:{srv.port}"] + files, pki)
                check(p.returncode == 0, f"atrium send --tls to the main port: {p.stderr.decode()}")
                want = {dataset_uid(f) for f in files}
                deadline = time.time() + 60
                got = set()
                while time.time() < deadline and got != want:
                    got = {dataset_uid(os.path.join(out, n)) for n in os.listdir(out)} if os.path.isdir(out) else set()
                    time.sleep(0.3)
                check(got == want, f"forwarded over TLS: {len(got)} of {len(want)}")
    finally:
        cleanup(work)


def test_https_with_hsts_and_the_plain_http_warning():
    import http.client
    import ssl
    work = tempdir("https")
    try:
        pki = Pki(os.path.join(work, "pki"))
        cert = pki.issue("localhost")
        # The command-line names this time (the config's are the same in snake case).
        srv = AtriumServer(os.path.join(work, "data"), http=True,
                           extra_args=["--user", "admin:secret-pw:admin", "--https", "--tls-cert", cert[0],
                                       "--tls-key", cert[1]])
        with srv:
            ctx = ssl.create_default_context(cafile=pki.ca)
            c = http.client.HTTPSConnection("localhost", srv.http_port, context=ctx, timeout=30)
            c.request("GET", "/healthz")
            r = c.getresponse()
            r.read()
            check(r.status == 200, f"/healthz over HTTPS: {r.status}")
            check("max-age" in (r.getheader("Strict-Transport-Security") or ""), "HSTS header on HTTPS answers")
            c.close()
            # TLS 1.1 and older are refused (BCP 195).
            # (SECLEVEL=0: this client's own OpenSSL policy would refuse TLS 1.1 before the server could.)
            old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            old.load_verify_locations(pki.ca)
            old.set_ciphers("DEFAULT:@SECLEVEL=0")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                old.minimum_version = ssl.TLSVersion.TLSv1
                old.maximum_version = ssl.TLSVersion.TLSv1_1
            refused = False
            try:
                c = http.client.HTTPSConnection("localhost", srv.http_port, context=old, timeout=30)
                c.request("GET", "/healthz")
                c.getresponse().read()
            except (ssl.SSLError, OSError):
                refused = True
            check(refused, "a TLS 1.1 client was served")
            # Plain HTTP on the HTTPS port gets no answer worth the name.
            c = http.client.HTTPConnection("127.0.0.1", srv.http_port, timeout=30)
            try:
                c.request("GET", "/healthz")
                status = c.getresponse().status
            except (http.client.HTTPException, OSError):
                status = None
            check(status in (None, 400), f"plain HTTP on the HTTPS port answered {status}")
            check("in the clear" not in srv.log_text(), "no plain-HTTP warning with HTTPS on")
        # Users, no HTTPS, bound beyond loopback: warned at start; bound to loopback: not.
        for bind, warned in (("0.0.0.0", True), ("127.0.0.1", False)):
            srv = AtriumServer(os.path.join(work, "plain-" + bind), config={"http_bind": bind}, http=True,
                               extra_args=["--user", "admin:secret-pw:admin"])
            with srv:
                pass
            check(("in the clear" in srv.log_text()) == warned, f"bind {bind}: warning {'missing' if warned else 'given'}")
    finally:
        cleanup(work)


def test_tls_options_are_checked():
    work = tempdir("tls-options")
    try:
        p = run([ATRIUM, "echo", "127.0.0.1:104", "--tls"], timeout=30)
        check(p.returncode == 2 and b"--tls-ca" in p.stderr, f"--tls without --tls-ca: {p.stderr!r}")
        p = run([ATRIUM, "echo", "127.0.0.1:104", "--tls-ca", "x.pem"], timeout=30)
        check(p.returncode == 2 and b"need --tls" in p.stderr, f"--tls-ca without --tls: {p.stderr!r}")
        pki = Pki(os.path.join(work, "pki"))
        cert = pki.issue("localhost")
        other = pki.issue("other")
        # A key that is not the certificate's: the server refuses to start, saying so.
        srv = tls_server(work, pki, (cert[0], other[1]))
        try:
            srv.start()
            check(False, "started with a key that does not match its certificate")
        except Exception:
            pass
        finally:
            if srv.proc and srv.proc.poll() is None:
                srv.proc.kill()
        with open(srv.log_path, "rb") as f:
            check(b"does not match certificate" in f.read(), "the log says the key does not match")
    finally:
        cleanup(work)


def test_protocol_versions_with_openssl_and_curl():
    """openssl s_client on the DICOM TLS port and curl on the HTTPS port: TLS 1.2 and 1.3 are
    served, TLS 1.1 is refused (the clients are told to allow it, SECLEVEL=0, so the refusal is the
    server's)."""
    work = tempdir("tls-versions")
    try:
        pki = Pki(os.path.join(work, "pki"))
        cert = pki.issue("localhost")
        tls_port = free_port()
        srv = AtriumServer(os.path.join(work, "data"), http=True, extra_args=["--no-auth"],
                           config={"tls_port": tls_port, "tls_cert": cert[0], "tls_key": cert[1], "tls_ca": [pki.ca],
                                   "https": True})
        srv.tls_port = tls_port
        with srv:
            wait_for_port(srv.tls_port, srv.proc)
            for version, served in (("-tls1_3", True), ("-tls1_2", True), ("-tls1_1", False)):
                p = run(["openssl", "s_client", "-connect", f"127.0.0.1:{srv.tls_port}", version, "-CAfile", pki.ca,
                         "-verify_return_error", "-cipher", "DEFAULT:@SECLEVEL=0"], input=b"", timeout=30)
                out = p.stdout.decode(errors="replace")
                handshake = p.returncode == 0 and "Verify return code: 0 (ok)" in out
                check(handshake == served, f"openssl {version} on the DICOM TLS port: rc {p.returncode}, "
                      f"{'served' if handshake else 'refused'}: {p.stderr.decode(errors='replace')[-300:]}")
            url = f"https://localhost:{srv.http_port}/healthz"
            p = run(["curl", "-sS", "-D", "-", "-o", "/dev/null", "--cacert", pki.ca, url], timeout=30)
            head = p.stdout.decode(errors="replace").lower()
            check(p.returncode == 0 and " 200" in head.splitlines()[0] and "strict-transport-security" in head,
                  f"curl over HTTPS: rc {p.returncode} {head[:200]} {p.stderr.decode()[-200:]}")
            p = run(["curl", "-sS", "-o", "/dev/null", "--cacert", pki.ca, "--tlsv1.1", "--tls-max", "1.1",
                     "--ciphers", "DEFAULT:@SECLEVEL=0", url], timeout=30)
            check(p.returncode != 0, "curl with TLS 1.1 was served")
            check(srv.alive(), "server alive")
    finally:
        cleanup(work)


if __name__ == "__main__":
    main([test_tls_port_with_dcmtk_and_atrium_clients, test_refused_server_certificates_say_why,
          test_mutual_authentication, test_tls_only_on_the_main_port_and_forwarding_to_a_tls_peer,
          test_https_with_hsts_and_the_plain_http_warning, test_tls_options_are_checked,
          test_protocol_versions_with_openssl_and_curl])
