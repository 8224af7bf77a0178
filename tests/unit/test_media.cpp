#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "media/media_profile.h"
#include "media/zip_archive.h"
#include "temp_dir.h"

using namespace atrium;

TEST(MediaProfile, NamesAndWhatEachKeeps) {
  EXPECT_EQ(media::parseProfile("STD-GEN-CD"), media::MediaProfile::GeneralCd);
  EXPECT_EQ(media::parseProfile("STD-GEN-USB-J2K"), media::MediaProfile::UsbJpeg2000);
  EXPECT_FALSE(media::parseProfile("std-gen-cd"));
  for (auto p : {media::MediaProfile::GeneralCd, media::MediaProfile::GeneralDvdJpeg, media::MediaProfile::UsbJpeg,
                 media::MediaProfile::UsbJpeg2000}) {
    EXPECT_EQ(media::parseProfile(media::profileName(p)), p);
    EXPECT_TRUE(media::keepsTransferSyntax(p, "1.2.840.10008.1.2.1"));
    EXPECT_FALSE(media::keepsTransferSyntax(p, "1.2.840.10008.1.2"));  // Implicit VR: never on media
  }
  EXPECT_FALSE(media::keepsTransferSyntax(media::MediaProfile::GeneralCd, "1.2.840.10008.1.2.4.70"));
  EXPECT_TRUE(media::keepsTransferSyntax(media::MediaProfile::UsbJpeg, "1.2.840.10008.1.2.4.70"));
  EXPECT_FALSE(media::keepsTransferSyntax(media::MediaProfile::UsbJpeg, "1.2.840.10008.1.2.4.90"));
  EXPECT_TRUE(media::keepsTransferSyntax(media::MediaProfile::UsbJpeg2000, "1.2.840.10008.1.2.4.90"));
}

TEST(Zip, WrittenToASinkAndReadBackEntryByEntry) {
  test::TempDir dir;
  std::map<std::string, std::string> files{{"a/one.dcm", std::string(100000, 'x')}, {"two.txt", "hello"}};
  for (const auto& [name, content] : files) {
    std::filesystem::create_directories((dir.path / name).parent_path());
    std::ofstream(dir.path / name, std::ios::binary) << content;
  }
  std::string zipBytes;
  media::ZipWriter zip([&](const char* d, std::size_t n) {
    zipBytes.append(d, n);
    return true;
  });
  for (const auto& [name, content] : files) zip.addFile("../" + name, dir.path / name);
  zip.finish();
  ASSERT_GT(zipBytes.size(), 20u);
  EXPECT_LT(zipBytes.size(), 10000u);  // deflated
  std::ofstream(dir.path / "out.zip", std::ios::binary) << zipBytes;
  EXPECT_TRUE(media::looksLikeZip(dir.path / "out.zip"));
  EXPECT_FALSE(media::looksLikeZip(dir.path / "two.txt"));

  std::filesystem::create_directories(dir.path / "x");
  std::map<std::string, std::string> read;
  media::forEachZipEntry(dir.path / "out.zip", dir.path / "x", [&](const std::filesystem::path& f, const std::string& name) {
    EXPECT_EQ(f.parent_path(), dir.path / "x");  // our own name, whatever the entry says
    std::ifstream in(f, std::ios::binary);
    read[name] = std::string(std::istreambuf_iterator<char>(in), {});
    std::filesystem::remove(f);
  });
  EXPECT_EQ(read.size(), 2u);
  EXPECT_EQ(read["../a/one.dcm"], files["a/one.dcm"]);
  EXPECT_EQ(read["../two.txt"], "hello");
}

TEST(Zip, ASinkThatFailsStopsTheWriter) {
  test::TempDir dir;
  std::ofstream(dir.path / "f", std::ios::binary) << std::string(1 << 20, 'y');
  media::ZipWriter zip([](const char*, std::size_t) { return false; });
  EXPECT_THROW(
      {
        zip.addFile("f", dir.path / "f");
        zip.finish();
      },
      media::ZipError);
}

TEST(Zip, ADamagedZipIsAnError) {
  test::TempDir dir;
  std::ofstream(dir.path / "bad.zip", std::ios::binary) << "PK\x03\x04 this is not really a zip file at all";
  int entries = 0;
  EXPECT_THROW(media::forEachZipEntry(dir.path / "bad.zip", dir.path,
                                      [&](const std::filesystem::path&, const std::string&) { ++entries; }),
               media::ZipError);
  EXPECT_EQ(entries, 0);
}
