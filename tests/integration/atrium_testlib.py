"""Shared helpers for Atrium's integration tests: servers on free loopback ports, stopped by
PID; Part 10 parsing helpers; and a small raw DICOM Upper Layer client for sending exactly the
bytes a test wants (malformed PDUs, mismatched UIDs) that no well-behaved tool would send."""
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time

ATRIUM = os.environ.get("ATRIUM_BIN", os.path.join(os.path.dirname(__file__), "../../build/atrium"))
PYDICOM_DATA = "/usr/lib/python3/dist-packages/pydicom/data"
IMPLICIT_LE = "1.2.840.10008.1.2"
EXPLICIT_LE = "1.2.840.10008.1.2.1"
VERIFICATION = "1.2.840.10008.1.1"


class TestFailure(AssertionError):
    pass


def check(cond, msg):
    if not cond:
        raise TestFailure(msg)


SHARED = os.environ.get("ATRIUM_SHARED", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                                     "shared"))


_skipped = []  # reasons the running test function gave for not running (all or part of it)


def skip(reason):
    """Print a 'skipped: ...' line; main() then counts the test as skipped, not passed. The caller
    returns (or goes on with what it can still check)."""
    _skipped.append(reason)
    print(f"skipped: {reason}", flush=True)


def skip_unless_shared(relative):
    """The path of data under ../shared, or None after a skip() (a fresh clone without ../shared
    still runs everything else)."""
    path = os.path.join(SHARED, relative)
    if os.path.exists(path):
        return path
    skip(f"{relative} is not in {SHARED} (the shared data folder)")
    return None


def _ephemeral_low():
    try:
        return int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


_port_rng = random.Random()


def free_port():
    """A loopback port free now, drawn below the kernel's ephemeral range: a port the kernel hands
    out (bind to 0) may go to any test's outgoing connection before our server binds it, one below
    that range only to another test drawing the same number."""
    low = _ephemeral_low()
    for _ in range(50):
        port = _port_rng.randrange(10000, low) if low > 11000 else 0
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, proc=None, timeout=20.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise TestFailure(f"server exited early with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TestFailure(f"nothing listening on port {port} after {timeout}s")


class AtriumServer:
    """`atrium serve` on a free loopback port with its own data folder."""

    def __init__(self, data_dir, config=None, extra_args=(), aet="ATRIUM", http=False, env=None):
        self.data_dir = data_dir
        self.port = free_port()
        self.http_port = free_port() if http else 0
        self.aet = aet
        self.log_path = os.path.join(os.path.dirname(data_dir.rstrip("/")) or ".", f"atrium-{self.port}.log")
        self.config = config
        self.extra_args = list(extra_args)
        self.proc = None
        self.env = env  # extra environment variables of the server process
        self._picked = (self.port, self.http_port)  # ports start() may replace if another process took them

    def start(self):
        # free_port() cannot reserve the port: another test's process may take it before the server
        # binds. Where the ports are still the ones picked here, pick new ones and try again.
        for attempt in range(3):
            try:
                return self._start_once()
            except TestFailure:
                lost_port = b"cannot listen on" in self._log_since_start()
                if attempt == 2 or not lost_port or (self.port, self.http_port) != self._picked:
                    raise
                self.log.close()
                self.port = free_port()
                self.http_port = free_port() if self.http_port else 0
                self._picked = (self.port, self.http_port)

    def _start_once(self):
        args = [ATRIUM, "serve", "--data", self.data_dir, "--dicom-port", str(self.port),
                "--http-port", str(self.http_port),
                "--aet", self.aet] + self.extra_args
        if self.config is not None:
            import json
            cfg = os.path.join(os.path.dirname(self.log_path), f"config-{self.port}.json")
            with open(cfg, "w") as f:
                json.dump(self.config, f)
            args += ["--config", cfg]
        self._log_offset = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0
        self.log = open(self.log_path, "ab")
        env = dict(os.environ, **self.env) if self.env else None
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        # Not an answer on the port, which may come from another process that took it: the server's
        # own "listening" lines, logged once it listens, say that it is this server.
        wanted = [re.compile(rb"listening on (TLS )?port %d\b" % self.port)]
        if self.http_port:
            wanted.append(re.compile(rb"listening on \S+:%d\b" % self.http_port))
        deadline = time.time() + 20
        while True:
            text = self._log_since_start()
            if all(w.search(text) for w in wanted):
                return self
            if self.proc.poll() is not None:
                raise TestFailure(f"server exited early with {self.proc.returncode}")
            if time.time() > deadline:
                raise TestFailure("the server never logged that it listens on its ports (20 s)")
            time.sleep(0.05)

    def _log_since_start(self):
        with open(self.log_path, "rb") as f:
            f.seek(self._log_offset)
            return f.read()

    def http(self, method, path, body=None, auth=None, headers=None, raw=False):
        """(status, parsed JSON or bytes, headers) of an HTTP request to the server; never raises on 4xx/5xx.
        auth: (user, password) for Basic, or a string for a Bearer token."""
        import base64
        import json
        import urllib.error
        import urllib.request
        h = dict(headers or {})
        if isinstance(auth, tuple):
            h["Authorization"] = "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        elif isinstance(auth, str):
            h["Authorization"] = "Bearer " + auth
        data = body
        if body is not None and not isinstance(body, (bytes, bytearray)):
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        if method in ("POST", "PUT") and data is None:
            data = b""
        req = urllib.request.Request(f"http://127.0.0.1:{self.http_port}{path}", data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                status, payload, rh = r.status, r.read(), r.headers
        except urllib.error.HTTPError as e:
            status, payload, rh = e.code, e.read(), e.headers
        if raw:
            return status, payload, rh
        try:
            return status, json.loads(payload) if payload else None, rh
        except ValueError:
            return status, payload, rh

    def kill9(self):
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        if getattr(self, "log", None):
            self.log.close()

    def alive(self):
        return self.proc.poll() is None

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def db(self):
        return sqlite3.connect(os.path.join(self.data_dir, "index.db"))

    def instances(self):
        """{sop_uid: (absolute path, size, checksum, transfer syntax)} from the index."""
        with self.db() as c:
            rows = c.execute("SELECT sop_uid, path, size, checksum, transfer_syntax FROM instances").fetchall()
        return {r[0]: (os.path.join(self.data_dir, "storage", r[1]), r[2], r[3], r[4]) for r in rows}

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class StoreScp:
    """DCMTK storescp writing bit-preserving files into a folder."""

    def __init__(self, out_dir, aet="STORESCP", accept_all=True, port=None, extra=()):
        self.out_dir = out_dir
        self.port = port or free_port()
        self.aet = aet
        args = ["storescp", "-aet", aet, "-od", out_dir, "+B"] + list(extra)
        if accept_all:
            args.append("+xa")
        self.args = args + [str(self.port)]
        self.proc = None

    def __enter__(self):
        os.makedirs(self.out_dir, exist_ok=True)
        self.logf = open(os.path.join(self.out_dir, "..", f"storescp-{self.port}.log"), "wb")
        self.proc = subprocess.Popen(self.args, stdout=self.logf, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.proc)
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
        self.logf.close()


class Orthanc:
    """Debian's Orthanc on free loopback ports (DICOM and HTTP), its own folders; stopped by PID."""

    def __init__(self, work, modalities=None, aet="ORTHANC"):
        import json
        self.work = work
        self.port, self.http = free_port(), free_port()
        self.aet = aet
        self.cfg = os.path.join(work, f"orthanc-{self.port}.json")
        with open(self.cfg, "w") as c:
            json.dump({"Name": "test", "StorageDirectory": os.path.join(work, f"orthanc-{self.port}", "storage"),
                       "IndexDirectory": os.path.join(work, f"orthanc-{self.port}", "index"), "DicomAet": aet,
                       "DicomPort": self.port, "HttpPort": self.http, "RemoteAccessAllowed": False,
                       "AuthenticationEnabled": False, "DicomCheckCalledAet": False, "Plugins": [],
                       "DicomAlwaysAllowStore": True, "DicomAlwaysAllowEcho": True, "DicomAlwaysAllowFind": True,
                       "DicomAlwaysAllowGet": True, "DicomAlwaysAllowMove": True,
                       "DicomModalities": modalities or {}}, c)

    def __enter__(self):
        self.proc = subprocess.Popen(["/usr/sbin/Orthanc", self.cfg], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        wait_for_port(self.port, self.proc, timeout=60)
        wait_for_port(self.http, self.proc, timeout=60)
        return self

    def rest(self, method, path, body=None):
        import json
        import urllib.error
        import urllib.request
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{self.http}{path}", data=data, method=method)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            raise TestFailure(f"Orthanc {method} {path}: {e.code} {e.read()[:500]!r}") from None

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def run(args, timeout=300, check_rc=None, **kw):
    p = subprocess.run(args, capture_output=True, timeout=timeout, **kw)
    if check_rc is not None and p.returncode != check_rc:
        raise TestFailure(f"{args[0]} exited {p.returncode}, expected {check_rc}:\n{p.stdout.decode(errors='replace')}"
                          f"\n{p.stderr.decode(errors='replace')}")
    return p


# ---------------------------------------------------------------- Part 10 files

def split_part10(path):
    """(meta dict {tag: bytes}, transfer syntax UID, data set bytes) of a Part 10 file."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 132 or data[128:132] != b"DICM":
        raise ValueError(f"{path}: no DICM prefix")
    pos = 132
    meta = {}
    while pos + 8 <= len(data):
        group, elem = struct.unpack_from("<HH", data, pos)
        if group != 0x0002:
            break
        vr = data[pos + 4:pos + 6]
        if vr in (b"OB", b"OW", b"OF", b"SQ", b"UT", b"UN"):
            length = struct.unpack_from("<I", data, pos + 8)[0]
            start = pos + 12
        else:
            length = struct.unpack_from("<H", data, pos + 6)[0]
            start = pos + 8
        meta[(group, elem)] = data[start:start + length]
        pos = start + length
    ts = meta.get((2, 0x10), b"").rstrip(b"\0 ").decode()
    return meta, ts, data[pos:]


def meta_uid(meta, elem):
    return meta.get((2, elem), b"").rstrip(b"\0 ").decode(errors="replace")


def same_content(path_a, path_b):
    """Data sets equal element by element, read by pydicom. Group lengths and the VR of a
    value are ignored: DCMTK senders recompute the first and may correct the second (OW→OB)."""
    sys.path.insert(0, "/usr/lib/python3/dist-packages")
    import pydicom

    def same(a, b):
        # group lengths and Data Set Trailing Padding are dropped or recomputed by DCMTK writers
        ta = {t for t in a.keys() if t.element != 0 and t != 0xFFFCFFFC}
        tb = {t for t in b.keys() if t.element != 0 and t != 0xFFFCFFFC}
        if ta != tb:
            return False
        for t in ta:
            va, vb = a[t].value, b[t].value
            if a[t].VR == "SQ":
                if vb is None or len(va) != len(vb) or not all(same(x, y) for x, y in zip(va, vb)):
                    return False
            elif va != vb:
                return False
        return True
    return same(pydicom.dcmread(path_a, force=True), pydicom.dcmread(path_b, force=True))


def dataset_uid(path):
    """SOP Instance UID of the data set itself (the meta header may disagree)."""
    sys.path.insert(0, "/usr/lib/python3/dist-packages")
    import pydicom
    try:
        return str(pydicom.dcmread(path, stop_before_pixels=True, force=True).get("SOPInstanceUID", ""))
    except Exception:  # noqa: BLE001 - unreadable files have no UID for us
        return ""


def corpus_files():
    """pydicom's shipped test and charset files that carry a File Meta header."""
    out = []
    for sub in ("test_files", "charset_files"):
        d = os.path.join(PYDICOM_DATA, sub)
        for name in sorted(os.listdir(d)):
            p = os.path.join(d, name)
            if not name.endswith(".dcm") or not os.path.isfile(p):
                continue
            try:
                split_part10(p)
            except ValueError:
                continue
            out.append(p)
    return out


def make_mr_files(out_dir, count, rows=64, cols=64, study_uid=None, prefix="1.2.826.0.1.3680043.9.7777"):
    """Synthetic MR images written by pydicom (Explicit VR LE), distinct UIDs. Returns paths."""
    sys.path.insert(0, "/usr/lib/python3/dist-packages")
    import numpy  # noqa: F401  (pydicom needs it for pixel arrays; we write raw bytes)
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid
    os.makedirs(out_dir, exist_ok=True)
    study_uid = study_uid or generate_uid(prefix=prefix + ".")
    series_uid = generate_uid(prefix=prefix + ".")
    paths = []
    pixel = bytes((i * 7) % 251 for i in range(rows * cols * 2))
    for i in range(count):
        ds = Dataset()
        ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.4"
        ds.SOPInstanceUID = generate_uid(prefix=prefix + ".")
        ds.StudyInstanceUID = study_uid
        ds.SeriesInstanceUID = series_uid
        ds.PatientName = "Synthetic^Heart"
        ds.PatientID = "SYN001"
        ds.Modality = "MR"
        ds.StudyDate = "20260101"
        ds.InstanceNumber = i + 1
        ds.Rows, ds.Columns = rows, cols
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
        ds.PixelData = pixel
        fm = FileMetaDataset()
        fm.MediaStorageSOPClassUID = ds.SOPClassUID
        fm.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        fm.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.file_meta = fm
        ds.is_little_endian, ds.is_implicit_VR = True, False
        p = os.path.join(out_dir, f"mr{i:05d}.dcm")
        ds.save_as(p, write_like_original=False)
        paths.append(p)
    return paths


def tempdir(name):
    d = tempfile.mkdtemp(prefix=f"atrium-{name}-")
    return d


def cleanup(d):
    shutil.rmtree(d, ignore_errors=True)


# ---------------------------------------------------------------- raw DICOM UL client

def _item(t, payload):
    return struct.pack(">BBH", t, 0, len(payload)) + payload


def _uid(u):
    b = u.encode()
    return b + (b"\0" if len(b) % 2 else b"")


def associate_rq(called, calling, contexts, max_pdu=16384):
    """contexts: list of (pcid, abstract syntax, [transfer syntaxes])."""
    body = struct.pack(">HH", 1, 0) + called.ljust(16).encode() + calling.ljust(16).encode() + b"\0" * 32
    body += _item(0x10, b"1.2.840.10008.3.1.1.1")
    for pcid, asx, tss in contexts:
        sub = _item(0x30, asx.encode()) + b"".join(_item(0x40, t.encode()) for t in tss)
        body += _item(0x20, struct.pack(">BBBB", pcid, 0, 0, 0) + sub)
    ui = _item(0x51, struct.pack(">I", max_pdu)) + _item(0x52, b"1.2.826.0.1.3680043.9.7777.1")
    body += _item(0x50, ui)
    return struct.pack(">BBI", 1, 0, len(body)) + body


def _elem(group, elem, value):
    if len(value) % 2:
        value += b"\0"
    return struct.pack("<HHI", group, elem, len(value)) + value


def command_set(fields):
    """Implicit VR LE command set with its group length. fields: list of (elem, bytes)."""
    body = b"".join(_elem(0, e, v) for e, v in fields)
    return _elem(0, 0, struct.pack("<I", len(body))) + body


def c_store_rq(sop_class, sop_instance, message_id=1):
    return command_set([
        (0x0002, _uid(sop_class)), (0x0100, struct.pack("<H", 0x0001)), (0x0110, struct.pack("<H", message_id)),
        (0x0700, struct.pack("<H", 0)), (0x0800, struct.pack("<H", 0x0000)), (0x1000, _uid(sop_instance))])


def c_echo_rq(message_id=1):
    return command_set([(0x0002, _uid(VERIFICATION)), (0x0100, struct.pack("<H", 0x0030)),
                        (0x0110, struct.pack("<H", message_id)), (0x0800, struct.pack("<H", 0x0101))])


def c_find_rq(sop_class, message_id=1):
    return command_set([(0x0002, _uid(sop_class)), (0x0100, struct.pack("<H", 0x0020)),
                        (0x0110, struct.pack("<H", message_id)), (0x0700, struct.pack("<H", 0)),
                        (0x0800, struct.pack("<H", 0x0000))])


def c_cancel_rq(message_id):
    return command_set([(0x0100, struct.pack("<H", 0x0FFF)), (0x0120, struct.pack("<H", message_id)),
                        (0x0800, struct.pack("<H", 0x0101))])


def p_data(pcid, payload, is_command, last=True):
    header = (1 if is_command else 0) | (2 if last else 0)
    pdv = struct.pack(">IBB", len(payload) + 2, pcid, header) + payload
    return struct.pack(">BBI", 4, 0, len(pdv)) + pdv


def parse_command(data):
    """{elem: bytes} from an Implicit VR LE command set."""
    out, pos = {}, 0
    while pos + 8 <= len(data):
        g, e, n = struct.unpack_from("<HHI", data, pos)
        out[e] = data[pos + 8:pos + 8 + n]
        pos += 8 + n
    return out


class RawAssociation:
    def __init__(self, port, called="ATRIUM", calling="RAWSCU", contexts=(), timeout=20):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.accepted = {}
        if contexts is not None:
            self.sock.sendall(associate_rq(called, calling, contexts))
            t, body = self.read_pdu()
            self.result_type = t
            if t == 2:
                self._parse_ac(body)
            self.body = body

    def _recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("peer closed the connection")
            buf += chunk
        return buf

    def read_pdu(self):
        hdr = self._recv_exact(6)
        t, _, length = struct.unpack(">BBI", hdr)
        return t, self._recv_exact(length)

    def _parse_ac(self, body):
        pos = 68
        while pos + 4 <= len(body):
            t, _, n = struct.unpack_from(">BBH", body, pos)
            item = body[pos + 4:pos + 4 + n]
            if t == 0x21:
                pcid, _, result, _ = struct.unpack_from(">BBBB", item, 0)
                ts = ""
                if len(item) > 8:
                    tn = struct.unpack_from(">H", item, 6)[0]
                    ts = item[8:8 + tn].decode().rstrip("\0")
                self.accepted[pcid] = (result, ts)
            pos += 4 + n

    def send_raw(self, data):
        self.sock.sendall(data)

    def read_response(self):
        """The next command set (as {elem: bytes}) the peer sends."""
        buf = b""
        while True:
            t, body = self.read_pdu()
            if t != 4:
                raise ConnectionError(f"expected P-DATA, got PDU type {t}")
            pos = 0
            while pos < len(body):
                n = struct.unpack_from(">I", body, pos)[0]
                header = body[pos + 5]
                if header & 1:  # command fragments only; data set PDVs are skipped
                    buf += body[pos + 6:pos + 4 + n]
                    if header & 2:
                        return parse_command(buf)
                pos += 4 + n

    def store(self, pcid, sop_class, sop_instance, dataset_bytes, max_fragment=16000):
        """(status, error comment); status None if the peer aborted instead of answering."""
        self.send_raw(p_data(pcid, c_store_rq(sop_class, sop_instance), True))
        for i in range(0, max(len(dataset_bytes), 1), max_fragment):
            chunk = dataset_bytes[i:i + max_fragment]
            self.send_raw(p_data(pcid, chunk, False, last=i + max_fragment >= len(dataset_bytes)))
        try:
            rsp = self.read_response()
        except ConnectionError as e:
            self.aborted = True
            return None, str(e)
        return struct.unpack("<H", rsp[0x0900])[0], rsp.get(0x0902, b"").rstrip(b"\0 ").decode(errors="replace")

    def echo(self, pcid):
        self.send_raw(p_data(pcid, c_echo_rq(), True))
        rsp = self.read_response()
        return struct.unpack("<H", rsp[0x0900])[0]

    def release(self):
        if getattr(self, "aborted", False):
            self.sock.close()
            return
        try:
            self.send_raw(struct.pack(">BBI", 5, 0, 4) + b"\0" * 4)
            self.read_pdu()
        except Exception:
            pass
        self.sock.close()

    def close(self):
        self.sock.close()


def findscu(port, keys, root="-S", extra=(), called="ATRIUM"):
    """(final status text, [response data sets]) of a DCMTK findscu run (root -P, -S or -W for the
    worklist); keys are str or bytes."""
    import glob
    import re
    sys.path.insert(0, "/usr/lib/python3/dist-packages")
    import pydicom
    out = tempdir("rsp")
    try:
        args = [b"findscu", b"-v", root.encode(), b"-aec", called.encode(), b"-X", b"-od", out.encode()]
        for k in keys:
            args += [b"-k", k if isinstance(k, bytes) else k.encode()]
        args += [e.encode() for e in extra] + [b"127.0.0.1", str(port).encode()]
        p = subprocess.run(args, capture_output=True, timeout=120)
        text = (p.stdout + p.stderr).decode(errors="replace")
        responses = [pydicom.dcmread(f) for f in sorted(glob.glob(os.path.join(out, "rsp*.dcm")))]
        m = re.search(r"Received Final Find Response \(([^)]*)\)", text)
        return (m.group(1) if m else text[-400:]), responses
    finally:
        cleanup(out)


def read_until_final(assoc):
    """(number of pending responses, final status) of a C-FIND running on a RawAssociation."""
    pending = 0
    while True:
        rsp = assoc.read_response()
        st = struct.unpack("<H", rsp[0x0900])[0]
        if st not in (0xFF00, 0xFF01):
            return pending, st
        pending += 1


def echo_ok(port, called="ATRIUM"):
    p = subprocess.run(["echoscu", "-aec", called, "127.0.0.1", str(port)], capture_output=True, timeout=30)
    return p.returncode == 0


SKIP_EXIT = 77  # ctest's SKIP_RETURN_CODE for these scripts (CMakeLists.txt)


def as_test_case(test):
    """A test function as a unittest case: skip() calls make it a skip, failed checks a failure."""
    import unittest

    def run():
        del _skipped[:]
        test()
        if _skipped:
            raise unittest.SkipTest("; ".join(_skipped))

    class Case(unittest.FunctionTestCase):
        def __str__(self):
            return test.__name__

        def shortDescription(self):
            return None
    return Case(run)


def main(tests):
    """Run test functions with unittest's runner (each a FunctionTestCase, verbose, in order);
    print a closing 'N passed, N skipped, N failed' line. Exit 1 on a failure; 77 (ctest counts
    the script as skipped) when nothing failed and nothing ran in full."""
    import unittest
    suite = unittest.TestSuite(as_test_case(t) for t in tests)
    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    failed = len(result.failures) + len(result.errors)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    print(f"{passed} passed, {skipped} skipped, {failed} failed", flush=True)
    sys.exit(1 if failed else SKIP_EXIT if skipped and not passed else 0)


def dataset_bytes(ds, implicit=True):
    """Encode a pydicom Dataset (no meta) as Implicit or Explicit VR Little Endian bytes."""
    sys.path.insert(0, "/usr/lib/python3/dist-packages")
    from pydicom.filebase import DicomBytesIO
    from pydicom.filewriter import write_dataset
    fp = DicomBytesIO()
    fp.is_little_endian = True
    fp.is_implicit_VR = implicit
    write_dataset(fp, ds)
    return fp.getvalue()


def mr_dataset(sop_uid, name="Test^Patient", study_uid="1.2.826.0.1.3680043.9.7777.100"):
    sys.path.insert(0, "/usr/lib/python3/dist-packages")
    from pydicom.dataset import Dataset
    ds = Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.4"
    ds.SOPInstanceUID = sop_uid
    ds.StudyInstanceUID = study_uid
    ds.SeriesInstanceUID = study_uid + ".1"
    ds.PatientName = name
    ds.PatientID = "PID-1"
    ds.Modality = "MR"
    return ds


MR_STORAGE = "1.2.840.10008.5.1.4.1.1.4"


def write_instance(path, sop_uid, study_uid, series_uid, patient_name="Test^Patient", patient_id="P1",
                   study_date="20250101", study_time="120000", accession="", modality="MR", series_number=1,
                   instance_number=1, sop_class=MR_STORAGE, description="", birth_date="19700101", sex="O"):
    """A small Explicit VR LE Part 10 file with the given identity (pixel data 8x8)."""
    sys.path.insert(0, "/usr/lib/python3/dist-packages")
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian
    ds = Dataset()
    ds.SOPClassUID, ds.SOPInstanceUID = sop_class, sop_uid
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study_uid, series_uid
    ds.PatientName, ds.PatientID = patient_name, patient_id
    ds.PatientBirthDate, ds.PatientSex = birth_date, sex
    ds.StudyDate, ds.StudyTime, ds.AccessionNumber = study_date, study_time, accession
    ds.StudyDescription = description
    ds.Modality, ds.SeriesNumber, ds.InstanceNumber = modality, series_number, instance_number
    ds.Rows, ds.Columns, ds.SamplesPerPixel = 8, 8, 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    ds.PixelData = bytes(range(128))
    fm = FileMetaDataset()
    fm.MediaStorageSOPClassUID, fm.MediaStorageSOPInstanceUID = sop_class, sop_uid
    fm.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = fm
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.save_as(path, write_like_original=False)
    return path
