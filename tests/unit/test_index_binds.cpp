// Typed binds: an integer bound as an integer compares as a number. Bound as text it would be
// greater than every integer (SQLite's type order), the fault that made every study "complete".
#include <gtest/gtest.h>

#include <filesystem>

#include "index/index_db.h"
#include "index/sqlite_util.h"

using namespace atrium::index;

TEST(IndexBinds, IntegersCompareAsNumbers) {
  sqlite3* db = openDatabase(":memory:", false);
  exec(db, "CREATE TABLE t(v INTEGER); INSERT INTO t VALUES(5),(50),(500)");
  auto count = [&](const Binds& binds) {
    std::int64_t n = -1;
    // An aggregate, as in the analysis scheduler's query, has no column affinity to convert a text.
    IndexDatabase::select(db, "SELECT count(*) FROM (SELECT max(v) AS m FROM t GROUP BY v) WHERE m < ?", binds,
                          [&](const Statement& r) {
                            n = r.integer(0);
                            return false;
                          });
    return n;
  };
  EXPECT_EQ(count({std::int64_t(60)}), 2);
  EXPECT_EQ(count({60.5}), 2);
  EXPECT_EQ(count({std::string("60")}), 3);  // text: every integer is smaller, what typed binds avoid
  {
    Statement s(db, "SELECT ?, typeof(?), ?");
    s.bindAll({std::string("a"), std::int64_t(7), std::int64_t(1) << 40}).step();
    EXPECT_EQ(s.text(0), "a");
    EXPECT_EQ(s.text(1), "integer");
    EXPECT_EQ(s.integer(2), std::int64_t(1) << 40);
  }  // finalized before the connection closes (else sqlite3_close fails and leaks it)
  EXPECT_EQ(sqlite3_close(db), SQLITE_OK);
}
