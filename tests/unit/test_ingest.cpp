// The ingest path end to end on real files: stage → validate → store → index.
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <gtest/gtest.h>

#include <fstream>

#include "common/fs.h"
#include "index/index_db.h"
#include "ingest/ingestor.h"
#include "storage/file_store.h"
#include "temp_dir.h"

using namespace atrium;

namespace {

std::filesystem::path writeInstance(const std::filesystem::path& file, const std::string& sopUid,
                                    const char* charset = nullptr, const char* name = "Doe^John") {
  DcmFileFormat ff;
  DcmDataset* ds = ff.getDataset();
  ds->putAndInsertString(DCM_SOPClassUID, UID_MRImageStorage);
  ds->putAndInsertString(DCM_SOPInstanceUID, sopUid.c_str());
  ds->putAndInsertString(DCM_StudyInstanceUID, "1.2.3.4");
  ds->putAndInsertString(DCM_SeriesInstanceUID, "1.2.3.4.5");
  ds->putAndInsertString(DCM_PatientID, "P1");
  if (charset) ds->putAndInsertString(DCM_SpecificCharacterSet, charset);
  ds->putAndInsertString(DCM_PatientName, name);
  ds->putAndInsertString(DCM_Modality, "MR");
  EXPECT_TRUE(ff.saveFile(file.c_str(), EXS_LittleEndianExplicit).good());
  return file;
}

struct Fixture {
  test::TempDir dir{"atrium-test"};
  storage::FileStore store{dir.path / "storage"};
  index::IndexDatabase db{dir.path / "index.db"};
};

ingest::IngestResult ingestAs(ingest::Ingestor& in, const std::filesystem::path& src, const std::string& announcedUid,
                              const std::string& announcedClass = UID_MRImageStorage) {
  std::error_code ec;
  auto slot = in.stage(announcedUid, ec);
  EXPECT_FALSE(ec);
  std::filesystem::copy_file(src, slot.tempPath);
  return in.finish(slot, {announcedClass, announcedUid, "TEST", "127.0.0.1"});
}

}  // namespace

TEST(Ingest, StoresIndexesAndKeepsTheFirstCopy) {
  Fixture f;
  ingest::Ingestor in(f.store, f.db, DuplicatePolicy::KeepFirst);
  auto a = writeInstance(f.dir.path / "a.dcm", "1.2.3.4.5.1");
  auto r = ingestAs(in, a, "1.2.3.4.5.1");
  ASSERT_EQ(r.status, ingest::IngestStatus::Stored) << r.message;
  auto row = f.db.findInstance("1.2.3.4.5.1");
  ASSERT_TRUE(row);
  EXPECT_EQ(row->studyUid, "1.2.3.4");
  auto stored = f.store.absolutePath(row->path);
  EXPECT_EQ(std::filesystem::file_size(stored), std::filesystem::file_size(a));
  // The path comes from a hash, not from the UID.
  EXPECT_EQ(row->path.find("1.2.3"), std::string::npos);

  auto b = writeInstance(f.dir.path / "b.dcm", "1.2.3.4.5.1", nullptr, "Other^Name");
  auto r2 = ingestAs(in, b, "1.2.3.4.5.1");
  EXPECT_EQ(r2.status, ingest::IngestStatus::Duplicate);
  EXPECT_EQ(f.db.counts().instances, 1);
  EXPECT_EQ(f.db.findInstance("1.2.3.4.5.1")->checksum, row->checksum);
  EXPECT_EQ(std::filesystem::file_size(stored), std::filesystem::file_size(a));
}

TEST(Ingest, OverwritePolicyReplacesTheFile) {
  Fixture f;
  ingest::Ingestor in(f.store, f.db, DuplicatePolicy::Overwrite);
  auto a = writeInstance(f.dir.path / "a.dcm", "1.2.9");
  ASSERT_TRUE(ingestAs(in, a, "1.2.9").success());
  auto first = f.db.findInstance("1.2.9")->checksum;
  auto b = writeInstance(f.dir.path / "b.dcm", "1.2.9", nullptr, "Someone^Else^Longer");
  auto r = ingestAs(in, b, "1.2.9");
  EXPECT_EQ(r.status, ingest::IngestStatus::Replaced);
  EXPECT_NE(f.db.findInstance("1.2.9")->checksum, first);
  EXPECT_EQ(f.db.counts().instances, 1);
}

TEST(Ingest, RejectsMismatchedUidsAndLeavesNothingBehind) {
  Fixture f;
  ingest::Ingestor in(f.store, f.db, DuplicatePolicy::KeepFirst);
  auto a = writeInstance(f.dir.path / "a.dcm", "1.2.3.7");
  EXPECT_EQ(ingestAs(in, a, "1.2.3.8").status, ingest::IngestStatus::UidMismatch);
  EXPECT_EQ(ingestAs(in, a, "1.2.3.7", UID_CTImageStorage).status, ingest::IngestStatus::UidMismatch);
  EXPECT_EQ(f.db.counts().instances, 0);
  std::size_t files = 0;
  for (auto& e : std::filesystem::recursive_directory_iterator(f.store.root()))
    if (e.is_regular_file()) ++files;
  EXPECT_EQ(files, 0u);
}

TEST(Ingest, RejectsGarbageAsCannotUnderstand) {
  Fixture f;
  ingest::Ingestor in(f.store, f.db, DuplicatePolicy::KeepFirst);
  auto g = f.dir.path / "garbage.dcm";
  std::ofstream(g) << std::string(128, '\0') << "DICM"
                   << "this is not a data set at all";
  EXPECT_EQ(ingestAs(in, g, "1.2.3").status, ingest::IngestStatus::CannotUnderstand);
  EXPECT_EQ(f.db.counts().instances, 0);
}

TEST(Ingest, DecodesNamesToUtf8) {
  Fixture f;
  ingest::Ingestor in(f.store, f.db, DuplicatePolicy::KeepFirst);
  // "Müller" in ISO 8859-1.
  auto a = writeInstance(f.dir.path / "a.dcm", "1.2.3.10", "ISO_IR 100", "M\xfcller^Hans");
  ASSERT_TRUE(ingestAs(in, a, "1.2.3.10").success());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((f.dir.path / "index.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT name FROM patients", -1, &st, nullptr);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))), "M\xc3\xbcller^Hans");
  sqlite3_finalize(st);
  sqlite3_close(db);
}

TEST(FileStore, StaleTempFilesAreRemoved) {
  test::TempDir dir{"atrium-test"};
  storage::FileStore store(dir.path);
  std::error_code ec;
  auto slot = store.prepare("1.2.3", ec);
  std::ofstream(slot.tempPath) << "half";
  EXPECT_EQ(store.removeStaleTempFiles(), 1u);
  EXPECT_FALSE(std::filesystem::exists(slot.tempPath));
}
