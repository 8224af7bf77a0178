#pragma once
// A fresh folder under /tmp for one test, removed with everything in it at the end of scope.
#include <stdlib.h>

#include <filesystem>
#include <string>

namespace atrium::test {

struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& prefix = "atrium-test") {
    std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

}  // namespace atrium::test
