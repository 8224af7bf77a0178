#pragma once
// Small RAII helpers over the SQLite C API.
#include <sqlite3.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace atrium::index {

struct DbError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A value bound to a statement's parameter, with its SQL type: an integer is bound as an integer
// (SQLite orders every integer before every text, so a number bound as text compares wrongly).
using BindValue = std::variant<std::string, std::int64_t, double>;
using Binds = std::vector<BindValue>;

class Statement {
 public:
  Statement(sqlite3* db, const char* sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, const std::string& v);
  Statement& bind(int i, std::int64_t v);
  Statement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  Statement& bind(int i, double v);
  Statement& bind(int i, const char* v) { return bind(i, std::string(v)); }
  Statement& bind(int i, const BindValue& v);
  // Binds values to parameters 1..n.
  Statement& bindAll(const Binds& values);
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
