// The C-STORE / STOW / import data set path: whatever bytes a peer sends become a staged file that
// the one ingest path validates, stores and indexes. The first byte picks the framing:
//   0: the rest is a Part 10 file, received whole (STOW-RS, import);
//   1: a raw data set in Implicit VR Little Endian, 2: in Explicit VR Little Endian, 3: in Explicit
//      VR Big Endian, each after the meta header the C-STORE SCP writes (as DIMSE_createFilestream).
// A refusal (CannotUnderstand, UidMismatch) is the expected answer to most inputs; a crash, a
// sanitizer report or an escaping exception is a finding.
#include <dcmtk/dcmdata/dctk.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>

#include "dicom/dcmtk_setup.h"
#include "dimse/raw_store.h"
#include "fuzz_support.h"
#include "index/index_db.h"
#include "ingest/ingestor.h"
#include "storage/file_store.h"

using namespace atrium;

namespace {

struct Archive {
  std::filesystem::path root;
  std::unique_ptr<storage::FileStore> store;
  std::unique_ptr<index::IndexDatabase> index;
  std::unique_ptr<ingest::Ingestor> ingestor;
  long stored = 0;

  void open() {
    ingestor.reset();
    index.reset();
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(root / "a", ec);
    store = std::make_unique<storage::FileStore>(root / "a" / "storage");
    index = std::make_unique<index::IndexDatabase>(root / "a" / "index.db", /*durableCommits=*/false);
    ingestor = std::make_unique<ingest::Ingestor>(*store, *index, DuplicatePolicy::Overwrite);
  }
};

Archive* g_archive = nullptr;
std::string g_meta[3];  // meta headers for Implicit LE, Explicit LE, Explicit BE

std::string metaHeader(E_TransferSyntax ts) {
  DcmFileFormat ff;
  ff.getDataset()->putAndInsertString(DCM_SOPClassUID, UID_MRImageStorage);
  ff.getDataset()->putAndInsertString(DCM_SOPInstanceUID, "1.2.826.0.1.3680043.10.1234.1");
  auto file = g_archive->root / "meta.dcm";
  if (ff.saveFile(file.c_str(), ts).bad()) std::abort();
  auto offset = dimse::datasetOffset(file);
  if (!offset) std::abort();
  std::ifstream in(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return bytes.substr(0, *offset);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::quietLogs();
  dicom::initializeDcmtk();
  g_archive = new Archive;
  g_archive->root = fuzz::scratchFolder("store");
  g_archive->open();
  g_meta[0] = metaHeader(EXS_LittleEndianImplicit);
  g_meta[1] = metaHeader(EXS_LittleEndianExplicit);
  g_meta[2] = metaHeader(EXS_BigEndianExplicit);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  int framing = data[0] % 4;
  ++data, --size;
  // Start over now and then: every stored instance stays on the tmpfs otherwise.
  if (g_archive->stored >= 2000) {
    g_archive->open();
    g_archive->stored = 0;
  }
  ingest::IngestResult r;
  if (framing == 0) {
    // STOW-RS and import: a whole file received under the storage root, whatever UID it holds.
    auto file = g_archive->ingestor->incomingFolder() / "fuzz.dcm";
    std::filesystem::create_directories(file.parent_path());
    {
      std::ofstream out(file, std::ios::binary);
      out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    r = g_archive->ingestor->ingestReceived(file, "FUZZ", "127.0.0.1");
  } else {
    // C-STORE: the data set streamed after the meta header, into a slot named by the announced UID.
    std::error_code ec;
    auto slot = g_archive->ingestor->stage("1.2.826.0.1.3680043.10.1234.1", ec);
    if (ec) std::abort();
    {
      std::ofstream out(slot.tempPath, std::ios::binary);
      out << g_meta[framing - 1];
      out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    ingest::Announced announced;
    announced.sourceAet = "FUZZ";
    announced.sourceAddress = "127.0.0.1";
    r = g_archive->ingestor->finish(slot, announced);
  }
  if (r.success()) ++g_archive->stored;
  if (std::getenv("ATRIUM_FUZZ_VERBOSE"))  // what each input came to, for looking at a corpus
    std::fprintf(stderr, "%s %s\n", ingest::statusName(r.status), r.message.c_str());
  if (!r.success() && r.message.empty()) {
    std::fprintf(stderr, "fuzz: a refusal (%s) without a reason\n", ingest::statusName(r.status));
    std::abort();
  }
  return 0;
}
