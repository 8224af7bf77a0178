// atrium hash-password: the password_hash of an http_users entry (the password on stdin, so it
// stays out of the shell history and the process list).
#include <cstdio>
#include <iostream>
#include <string>

#include "cli/command_spec.h"
#include "cli/commands.h"
#include "web/auth.h"

namespace atrium::cli {

int runHashPassword(int argc, char**) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s\n", shortUsage(commandSpec("hash-password")).c_str());
    return 2;
  }
  std::string password;
  std::getline(std::cin, password);
  if (password.empty()) {
    std::fputs("atrium hash-password: empty password on stdin\n", stderr);
    return 2;
  }
  std::printf("%s\n", web::hashPassword(password).c_str());
  return 0;
}

}  // namespace atrium::cli
