// atrium reindex --data DIR: rebuild index.db from the stored files (server stopped).
#include <dcmtk/oflog/oflog.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

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
    Args args(argc, argv, 2, commandSpec("reindex"));
    if (!args.has("data") || !args.positionals().empty())
      throw UsageError("usage: " + shortUsage(commandSpec("reindex")));
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
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(layout.storage, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
      if (it->is_regular_file() && it->path().extension() == ".dcm") files.push_back(it->path());
    std::atomic<std::size_t> next{0}, indexed{0}, bad{0};
    {
      // Built aside without per-commit fsync, made durable as a whole below; parsing runs on
      // every core and the writer groups the rows into few transactions.
      index::IndexDatabase db(fresh, /*durableCommits=*/false);
      std::vector<std::thread> workers;
      unsigned n = std::max(2u, std::thread::hardware_concurrency());
      for (unsigned w = 0; w < n * 2; ++w) {
        workers.emplace_back([&] {
          for (std::size_t i = next++; i < files.size(); i = next++) {
            const auto& path = files[i];
            auto read = dicom::readInstanceFile(path);
            auto sum = hash::fileChecksum(path);
            if (!read.ok() || !sum) {
              std::fprintf(stderr, "not indexed %s: %s\n", path.c_str(), read.message.c_str());
              ++bad;
              continue;
            }
            index::StoredFile f;
            f.relativePath = std::filesystem::relative(path, layout.storage).string();
            std::error_code sizeEc;
            f.size = static_cast<std::int64_t>(std::filesystem::file_size(path, sizeEc));
            f.checksum = *sum;
            if (db.addInstance(read.record, f, false) == index::InsertOutcome::Inserted)
              ++indexed;
            else
              ++bad;
          }
        });
      }
      for (auto& t : workers) t.join();
    }
    if (auto fec = fs::fsyncFile(fresh)) throw std::runtime_error("cannot sync the new index: " + fec.message());
    for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(layout.indexFile.string() + suffix);
    if (auto ec = fs::durableRename(fresh, layout.indexFile)) throw std::runtime_error(ec.message());
    std::printf("reindexed %zu instances (%zu files not indexed)\n", indexed.load(), bad.load());
    return bad ? 1 : 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrium reindex: %s\n", e.what());
    return 2;
  }
}

}  // namespace atrium::cli
