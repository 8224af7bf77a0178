// atrium reindex --data DIR: rebuild index.db from the stored files (server stopped).
#include <dcmtk/oflog/oflog.h>

#include <cstdio>

#include "archive/archive.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "common/fs.h"
#include "common/hash.h"
#include "dicom/dcmtk_setup.h"
#include "dicom/instance_reader.h"
#include "index/index_db.h"
#include "storage/data_lock.h"
#include "storage/file_store.h"

namespace atrium::cli {

int runReindex(int argc, char** argv) {
  std::filesystem::path dataDir;
  try {
    Args args(argc, argv, 2, {"data"}, {});
    if (!args.has("data") || !args.positionals().empty()) throw UsageError("usage: atrium reindex --data DIR");
    dataDir = args.get("data");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium reindex: %s\n", e.what());
    return 2;
  }
  OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
  dicom::initializeDcmtk();
  DataLayout layout(dataDir);
  if (!std::filesystem::is_directory(layout.storage)) {
    std::fprintf(stderr, "atrium reindex: %s has no storage folder\n", dataDir.c_str());
    return 2;
  }
  try {
    storage::DataLock lock(dataDir);
    storage::FileStore store(layout.storage);
    store.removeStaleTempFiles();
    auto fresh = layout.indexFile;
    fresh += ".rebuild";
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(fresh.string() + suffix);
    std::size_t indexed = 0, bad = 0;
    {
      index::IndexDatabase db(fresh);
      std::error_code ec;
      for (auto it = std::filesystem::recursive_directory_iterator(layout.storage, ec);
           !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (!it->is_regular_file() || it->path().extension() != ".dcm") continue;
        auto read = dicom::readInstanceFile(it->path());
        auto sum = hash::fileChecksum(it->path());
        if (!read.ok() || !sum) {
          std::fprintf(stderr, "not indexed %s: %s\n", it->path().c_str(), read.message.c_str());
          ++bad;
          continue;
        }
        index::StoredFile f;
        f.relativePath = std::filesystem::relative(it->path(), layout.storage).string();
        f.size = static_cast<std::int64_t>(it->file_size());
        f.checksum = *sum;
        auto outcome = db.addInstance(read.record, f, false);
        if (outcome == index::InsertOutcome::Inserted)
          ++indexed;
        else
          ++bad;
      }
    }
    for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(layout.indexFile.string() + suffix);
    if (auto ec = fs::durableRename(fresh, layout.indexFile)) throw std::runtime_error(ec.message());
    std::printf("reindexed %zu instances (%zu files not indexed)\n", indexed, bad);
    return bad ? 1 : 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium reindex: %s\n", e.what());
    return 2;
  }
}

}  // namespace atrium::cli
