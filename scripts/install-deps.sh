#!/usr/bin/env bash
# Installs the Debian 12 packages Atrium builds and tests with. Idempotent and quiet
# when everything is present: it only calls apt-get for what dpkg reports missing.
#   --training     also what tools/cardiac/train.py needs (PyTorch, CPU); `make test` does not.
#   --sanitizers   also clang and its sanitizer and libFuzzer runtimes (make test-asan, make fuzz).
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config
  libdcmtk-dev dcmtk              # DICOM parsing, networking, codecs, TLS; peers for tests
  libgdcm-dev libgdcm-tools       # JPEG 2000 decoding (DCMTK has none); gdcmconv as test reference
  libsqlite3-dev sqlite3          # embedded index
  libssl-dev                      # TLS (through DCMTK), password hashing
  libcpp-httplib-dev zlib1g-dev libbrotli-dev   # the HTTP server (DICOMweb, REST)
  nlohmann-json3-dev              # config files and JSON output
  libopencv-dnn-dev libopencv-imgproc-dev  # runs the learned cardiac segmenter (ONNX) on the CPU
  libxxhash-dev                   # file checksums and storage layout hashes
  libarchive-dev                  # ZIP archives: study download, import of ZIP files
  libgtest-dev googletest         # unit tests
  python3 python3-pydicom python3-pil python3-numpy python3-scipy  # integration tests (pydicom's corpus, arrays, PNG)
  python3-cryptography            # a throw-away CA and certificates for the TLS tests
  openssl curl                    # TLS protocol checks (openssl s_client) and an HTTPS client
  dicom3tools                     # dciodvfy
  orthanc orthanc-dicomweb        # peer for benchmarks and interoperability tests (DICOMweb client)
  procps util-linux git strace    # ps/kill/mount used by tests; git for --version's commit;
                                  # strace observes the durability order (test_durability_order)
  systemd                         # systemd-analyze verify checks the packaged unit
  chromium                        # headless browser for the viewer's tests (driven by playwright-core)
)
if [ "${1:-}" = "--training" ]; then PACKAGES+=(python3-torch); fi
if [ "${1:-}" = "--sanitizers" ]; then PACKAGES+=(clang libclang-rt-dev); fi
# The viewer is built with Node.js and npm: Debian's, unless a Node.js with its own npm is present.
if ! command -v npm >/dev/null 2>&1; then PACKAGES+=(nodejs npm); fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
