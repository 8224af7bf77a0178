// The SQL builder against a real index: exact result sets for each matching rule of PS3.4 C.2.2.2,
// where the integration tests only see a server's answers.
#include <gtest/gtest.h>

#include <set>

#include "index/index_db.h"
#include "query/runner.h"
#include "query/sql_builder.h"
#include "temp_dir.h"

using namespace atrium;

namespace {

constexpr query::Tag kPatientName = query::tag(0x0010, 0x0010);
constexpr query::Tag kStudyDate = query::tag(0x0008, 0x0020);
constexpr query::Tag kAccession = query::tag(0x0008, 0x0050);
constexpr query::Tag kStudyUid = query::tag(0x0020, 0x000D);

// One study per (name, date, accession); study UID 1.2.<n>.
struct Archive {
  test::TempDir dir{"atrium-query"};
  index::IndexDatabase db{dir.path / "index.db"};
  explicit Archive(const std::vector<std::tuple<std::string, std::string, std::string>>& studies) {
    int n = 0;
    for (const auto& [name, date, accession] : studies) {
      ++n;
      dicom::InstanceRecord r;
      r.patient.patientId = "P" + std::to_string(n);
      r.patient.patientName = name;
      r.study.studyInstanceUid = "1.2." + std::to_string(n);
      r.study.studyDate = date;
      r.study.accessionNumber = accession;
      r.series.seriesInstanceUid = r.study.studyInstanceUid + ".1";
      r.series.modality = "MR";
      r.instance.sopClassUid = "1.2.840.10008.5.1.4.1.1.4";
      r.instance.sopInstanceUid = r.series.seriesInstanceUid + ".1";
      r.transferSyntaxUid = "1.2.840.10008.1.2.1";
      index::StoredFile f{"x/" + std::to_string(n) + ".dcm", 1, "00", "TEST"};
      EXPECT_EQ(db.addInstance(r, f, false), index::InsertOutcome::Inserted);
    }
  }
  // Study UIDs matching one key.
  std::set<std::string> studies(query::Tag tag, const std::string& vr, const std::string& value,
                                bool caseInsensitive = false) {
    query::Query q;
    q.level = query::Level::Study;
    q.personNameCaseInsensitive = caseInsensitive;
    q.keys.push_back({tag, 0, vr, value});
    std::set<std::string> out;
    query::runQuery(db, q, [&](query::Match&& m) {
      out.insert(m.studyUid);
      return true;
    });
    return out;
  }
};

}  // namespace

TEST(QueryMatching, WildcardsTranslateExactly) {
  EXPECT_EQ(query::wildcardToLike("A?C"), "A_C");
  EXPECT_EQ(query::wildcardToLike("A*"), "A%");
  EXPECT_EQ(query::wildcardToLike("50%_\\"), "50\\%\\_\\\\");
  EXPECT_TRUE(query::hasWildcard("A?"));
  EXPECT_FALSE(query::hasWildcard("A.B"));
}

TEST(QueryMatching, QuestionMarkIsExactlyOneCharacter) {
  Archive a({{"ABC", "", ""}, {"AXC", "", ""}, {"AC", "", ""}, {"ABBC", "", ""}, {"abc", "", ""}});
  EXPECT_EQ(a.studies(kPatientName, "PN", "A?C"), (std::set<std::string>{"1.2.1", "1.2.2"}));
  EXPECT_EQ(a.studies(kPatientName, "PN", "A?C", true), (std::set<std::string>{"1.2.1", "1.2.2", "1.2.5"}));
  EXPECT_EQ(a.studies(kPatientName, "PN", "A*C"), (std::set<std::string>{"1.2.1", "1.2.2", "1.2.3", "1.2.4"}));
  EXPECT_EQ(a.studies(kPatientName, "PN", "A??C"), (std::set<std::string>{"1.2.4"}));
  // SQL's own wildcards in a value are literal.
  Archive b({{"A%C", "", ""}, {"A_C", "", ""}, {"ABC", "", ""}});
  EXPECT_EQ(b.studies(kPatientName, "PN", "A%C"), (std::set<std::string>{"1.2.1"}));
  EXPECT_EQ(b.studies(kPatientName, "PN", "A_C"), (std::set<std::string>{"1.2.2"}));
}

TEST(QueryMatching, SingleValueListAndRange) {
  Archive a({{"X", "20240101", "ACC1"}, {"Y", "20240215", "ACC2"}, {"Z", "20240301", "ACC3"}});
  EXPECT_EQ(a.studies(kAccession, "SH", "ACC2"), (std::set<std::string>{"1.2.2"}));
  EXPECT_EQ(a.studies(kAccession, "SH", "acc2"), (std::set<std::string>{}));  // SH is case-sensitive
  EXPECT_EQ(a.studies(kStudyUid, "UI", "1.2.1\\1.2.3"), (std::set<std::string>{"1.2.1", "1.2.3"}));
  EXPECT_EQ(a.studies(kStudyDate, "DA", "20240201-20240301"), (std::set<std::string>{"1.2.2", "1.2.3"}));
  EXPECT_EQ(a.studies(kStudyDate, "DA", "-20240215"), (std::set<std::string>{"1.2.1", "1.2.2"}));
  EXPECT_EQ(a.studies(kStudyDate, "DA", "20240216-"), (std::set<std::string>{"1.2.3"}));
  EXPECT_EQ(a.studies(kStudyDate, "DA", ""), (std::set<std::string>{"1.2.1", "1.2.2", "1.2.3"}));  // universal
}
