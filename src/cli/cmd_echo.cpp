// atrium echo HOST:PORT
#include <dcmtk/oflog/oflog.h>

#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/peer_options.h"
#include "dicom/dcmtk_setup.h"
#include "dimse/echo_scu.h"

namespace atrium::cli {

int runEcho(int argc, char** argv) {
  dimse::PeerAddress peer;
  try {
    Args args(argc, argv, 2, commandSpec("echo"));
    if (args.positionals().size() != 1) throw UsageError("usage: " + shortUsage(commandSpec("echo")));
    peer = peerFromArgs(args, args.positionals()[0], 30);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium echo: %s\n", e.what());
    return 2;
  }
  OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
  dicom::initializeDcmtk();
  try {
    unsigned short status = dimse::echo(peer);
    if (status != 0) {
      std::fprintf(stderr, "atrium echo: peer answered status 0x%04x\n", status);
      return 1;
    }
    std::printf("C-ECHO %s@%s:%d: success\n", peer.calledAet.c_str(), peer.host.c_str(), peer.port);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium echo: %s\n", e.what());
    return 3;
  }
}

}  // namespace atrium::cli
