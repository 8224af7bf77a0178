// The association and PDU receive path: the archive's DICOM server (DCMTK's dcmnet under our
// negotiation, access rules and DIMSE services) listens on a loopback port in this process, and
// each input is what a peer sends on one TCP connection: A-ASSOCIATE-RQ, then P-DATA-TF PDUs
// (C-ECHO, C-STORE, C-FIND...), A-RELEASE-RQ or A-ABORT, or anything else. The server may refuse,
// abort or answer; it must neither crash, nor trip a sanitizer, nor stop accepting.
#include <dcmtk/dcmdata/dctk.h>

#include <memory>
#include <thread>

#include "archive/archive.h"
#include "config/config.h"
#include "dicom/dcmtk_setup.h"
#include "dimse/server.h"
#include "fuzz_support.h"

using namespace atrium;

namespace {
int g_port = 0;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::quietLogs();
  dicom::initializeDcmtk();
  auto dir = fuzz::scratchFolder("association");
  g_port = fuzz::freeLoopbackPort();
  // Short timeouts: an input that stops half-way is answered by the ARTIM/DIMSE timers.
  // Never destroyed: the server threads use them until the process ends.
  auto& config = *new Config(parseConfig(R"({"aet": "ATRIUM", "dicom_port": )" + std::to_string(g_port) +
                                         R"(, "http_port": 0, "data_dir": ")" + dir.string() +
                                         R"(", "accept_unknown_aets": true, "artim_timeout_s": 2,
                                        "dimse_timeout_s": 2, "duplicate_policy": "overwrite"})"));
  validateConfig(config);
  auto& archive = *new Archive(config);
  auto& server = *new dimse::DimseServer(config, archive, archive, archive, archive, archive.peers());
  server.open();
  std::thread([&server] { server.run(); }).detach();
  if (!fuzz::waitForListener(g_port)) std::abort();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::exchange(g_port, data, size, 3000);
  return 0;
}
