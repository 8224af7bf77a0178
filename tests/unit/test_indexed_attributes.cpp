// The one table of indexed attributes agrees with the schema (a column for every row) and with
// DCMTK's dictionary (keyword and VR of every tag).
#include <dcmtk/dcmdata/dctag.h>
#include <gtest/gtest.h>

#include <set>

#include "dicom/indexed_attributes.h"
#include "index/index_db.h"
#include "temp_dir.h"

using namespace atrium;

TEST(IndexedAttributes, EveryRowHasItsColumnAndItsDictionaryKeyword) {
  test::TempDir dir{"atrium-attrs"};
  {
    index::IndexDatabase db(dir.path / "index.db");
    const char* tables[] = {"patients", "studies", "series", "instances"};
    std::set<std::string> seenKeywords;
    for (const auto& a : dicom::indexedAttributes()) {
      std::string table = tables[static_cast<int>(a.level)];
      bool found = false;
      db.select("SELECT 1 FROM pragma_table_info(?) WHERE name=?", {table, std::string(a.column)},
                [&](const index::Statement&) {
                  found = true;
                  return false;
                });
      EXPECT_TRUE(found) << a.keyword << ": no column " << table << "." << a.column;
      EXPECT_TRUE(seenKeywords.insert(a.keyword).second) << a.keyword << " twice";
      DcmTag tag(a.group, a.element);
      if (std::string(a.keyword) != "TransferSyntaxUID") {  // (0008,3002), named as routing rules name it
        EXPECT_STREQ(tag.getTagName(), a.keyword);
        EXPECT_STREQ(tag.getVR().getVRName(), a.vr) << a.keyword;
      }
    }
    EXPECT_NE(dicom::indexedAttribute("AccessionNumber"), nullptr);
    EXPECT_EQ(dicom::indexedAttribute("NoSuchKeyword"), nullptr);
  }
}
