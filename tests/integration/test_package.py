"""`make package`: the Debian package holds the binary, viewer, model, a conffile in /etc/atrium and a
hardened systemd unit; its maintainer scripts are valid shell; the packaged binary, run with the
packaged config (its data folder moved to a temp one), finds its viewer and model beside itself and
serves. Where systemd runs and ATRIUM_TEST_INSTALL_PACKAGE=1, the package is installed and the unit
started for real (it changes the machine, so only on request)."""
import glob
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import ATRIUM, check, cleanup, free_port, main, skip, tempdir, wait_for_port  # noqa: E402

BUILD = os.path.dirname(os.path.abspath(ATRIUM))
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
_deb = {}


def package():
    if "path" not in _deb:
        out = tempdir("package")
        p = subprocess.run(["cpack", "-G", "DEB", "-B", out, "--config", os.path.join(BUILD, "CPackConfig.cmake")],
                           capture_output=True, text=True, timeout=600, cwd=BUILD)
        check(p.returncode == 0, f"cpack: {p.stdout[-2000:]} {p.stderr[-2000:]}")
        debs = glob.glob(os.path.join(out, "atrium_*.deb"))
        check(len(debs) == 1, debs)
        _deb["path"], _deb["dir"] = debs[0], out
    return _deb["path"]


def dpkg_deb(*args):
    return subprocess.run(["dpkg-deb", *args], capture_output=True, text=True, timeout=120, check=True).stdout


def test_contents_and_control():
    deb = package()
    version = re.search(r"project\(atrium VERSION ([0-9.]+)", open(os.path.join(ROOT, "CMakeLists.txt")).read())[1]
    check(dpkg_deb("-f", deb, "Package") .strip() == "atrium" and dpkg_deb("-f", deb, "Version").strip() == version,
          "name and version")
    depends = dpkg_deb("-f", deb, "Depends")
    for lib in ("libdcmtk", "libsqlite3", "libopencv-dnn", "passwd"):
        check(lib in depends, f"Depends lacks {lib}: {depends}")
    files = {line.split()[-1] for line in dpkg_deb("-c", deb).splitlines()}
    for f in ("./usr/bin/atrium", "./etc/atrium/atrium.json", "./lib/systemd/system/atrium.service",
              "./usr/share/atrium/viewer/index.html", "./usr/share/atrium/viewer/viewer.js",
              "./usr/share/atrium/models/cardiac_unet.onnx", "./usr/share/atrium/models/cardiac_unet.onnx.json",
              "./usr/share/doc/atrium/README.md"):
        check(f in files, f"{f} not in the package")
    control = tempdir("control")
    try:
        subprocess.run(["dpkg-deb", "-e", deb, control], check=True)
        check(open(os.path.join(control, "conffiles")).read().split() == ["/etc/atrium/atrium.json"], "conffiles")
        for script in ("postinst", "prerm", "postrm"):
            path = os.path.join(control, script)
            check(os.access(path, os.X_OK), f"{script} is executable")
            check(subprocess.run(["sh", "-n", path]).returncode == 0, f"{script} is valid shell")
        post = open(os.path.join(control, "postinst")).read()
        check("useradd --system" in post and "/var/lib/atrium" in post, "postinst creates the user and folder")
        check("rm -rf" not in open(os.path.join(control, "postrm")).read(), "purge never deletes the archive")
    finally:
        cleanup(control)


def test_unit_is_hardened_and_valid():
    root = tempdir("unit")
    try:
        subprocess.run(["dpkg-deb", "-x", package(), root], check=True)
        unit = open(os.path.join(root, "lib/systemd/system/atrium.service")).read()
        settings = dict(re.findall(r"^([A-Za-z]+)=(.*)$", unit, re.M))
        want = {"User": "atrium", "ExecStart": "/usr/bin/atrium serve --config /etc/atrium/atrium.json",
                "NoNewPrivileges": "yes", "ProtectSystem": "strict", "PrivateTmp": "yes", "ProtectHome": "yes",
                "ReadWritePaths": "/var/lib/atrium", "StandardOutput": "journal"}
        for k, v in want.items():
            check(settings.get(k) == v, f"{k}={settings.get(k)}, want {v}")
        # systemd's own check, with ExecStart pointed at the extracted binary (it must exist).
        local = os.path.join(root, "atrium.service")
        with open(local, "w") as f:
            f.write(unit.replace("/usr/bin/atrium", os.path.join(root, "usr/bin/atrium")))
        p = subprocess.run(["systemd-analyze", "verify", local], capture_output=True, text=True, timeout=60)
        check(p.returncode == 0, f"systemd-analyze verify: {p.stdout} {p.stderr}")
    finally:
        cleanup(root)


def test_packaged_binary_serves_with_packaged_config():
    root = tempdir("pkgroot")
    proc = None
    try:
        subprocess.run(["dpkg-deb", "-x", package(), root], check=True)
        binary = os.path.join(root, "usr/bin/atrium")
        dicom, http = free_port(), free_port()
        config = open(os.path.join(root, "etc/atrium/atrium.json")).read()
        check('"data_dir": "/var/lib/atrium"' in config, "the packaged data folder")
        config = (config.replace("/var/lib/atrium", os.path.join(root, "data"))
                  .replace('"dicom_port": 4242', f'"dicom_port": {dicom}').replace('"http_port": 8042', f'"http_port": {http}'))
        cfg = os.path.join(root, "atrium.json")
        with open(cfg, "w") as f:
            f.write(config)
        log = open(os.path.join(root, "serve.log"), "wb")
        proc = subprocess.Popen([binary, "serve", "--config", cfg], stdout=log, stderr=subprocess.STDOUT)
        wait_for_port(http, proc)
        import urllib.request
        health = urllib.request.urlopen(f"http://127.0.0.1:{http}/healthz", timeout=10).read()
        check(b'"status":"ok"' in health, health)
        page = urllib.request.urlopen(f"http://127.0.0.1:{http}/", timeout=10).read()
        check(page == open(os.path.join(root, "usr/share/atrium/viewer/index.html"), "rb").read(),
              "the viewer is served from the package's share/atrium/viewer")
        p = subprocess.run(["echoscu", "-aec", "ATRIUM", "127.0.0.1", str(dicom)], capture_output=True, timeout=30)
        check(p.returncode == 0, p.stderr)
        # The learned model is the one beside the binary, not this source tree's: damaged, it is named.
        from test_cardiac_analysis import write_phantom
        write_phantom(os.path.join(root, "cine"), seed=3)
        model = os.path.join(root, "usr/share/atrium/models/cardiac_unet.onnx")
        with open(model, "r+b") as f:
            f.truncate(1000)
        p = subprocess.run([binary, "analyze", os.path.join(root, "cine")], capture_output=True, text=True, timeout=120,
                           env={k: v for k, v in os.environ.items() if k != "ATRIUM_MODEL"})
        check(p.returncode == 1 and model in p.stderr and len(p.stderr.strip().splitlines()) == 1,
              f"the packaged model: {p.returncode} {p.stderr}")
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=30)
        cleanup(root)


def test_install_and_start_the_unit():
    if os.environ.get("ATRIUM_TEST_INSTALL_PACKAGE") != "1" or not os.path.isdir("/run/systemd/system") \
            or os.geteuid() != 0:
        skip("installing the package and starting the unit (needs root, a running systemd and "
             "ATRIUM_TEST_INSTALL_PACKAGE=1; it changes this machine)")
        return
    subprocess.run(["apt-get", "install", "-y", package()], check=True, timeout=600)
    try:
        deadline = time.time() + 30
        while time.time() < deadline and subprocess.run(["systemctl", "is-active", "--quiet", "atrium"]).returncode:
            time.sleep(1)
        check(subprocess.run(["systemctl", "is-active", "--quiet", "atrium"]).returncode == 0, "the unit runs")
        wait_for_port(8042)
        import urllib.request
        check(b'"status":"ok"' in urllib.request.urlopen("http://127.0.0.1:8042/healthz", timeout=10).read(), "healthz")
        check(subprocess.run(["stat", "-c", "%U", "/var/lib/atrium/index.db"], capture_output=True, text=True)
              .stdout.strip() == "atrium", "the data belongs to user atrium")
    finally:
        subprocess.run(["apt-get", "remove", "-y", "atrium"], timeout=600)


def teardown():
    if "dir" in _deb:
        cleanup(_deb["dir"])


if __name__ == "__main__":
    try:
        main([test_contents_and_control, test_unit_is_hardened_and_valid, test_packaged_binary_serves_with_packaged_config,
              test_install_and_start_the_unit])
    finally:
        teardown()
