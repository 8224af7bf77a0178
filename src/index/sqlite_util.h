#pragma once
// Small RAII helpers over the SQLite C API.
#include <sqlite3.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace atrium::index {

struct DbError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Statement {
 public:
  Statement(sqlite3* db, const char* sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, const std::string& v);
  Statement& bind(int i, std::int64_t v);
  // SQLITE_ROW → true, SQLITE_DONE → false, anything else throws DbError.
  bool step();
  void reset();
  std::string text(int col) const;
  std::int64_t integer(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

void exec(sqlite3* db, const char* sql);
sqlite3* openDatabase(const std::string& path, bool readOnly);

}  // namespace atrium::index
