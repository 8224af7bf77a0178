#include "common/version.h"

#include "atrium_git.h"  // generated at every build: ATRIUM_GIT_DESCRIPTION

#ifndef ATRIUM_VERSION
#define ATRIUM_VERSION "unknown"
#endif

namespace atrium {

const char* version() { return ATRIUM_VERSION; }
const char* gitDescription() { return ATRIUM_GIT_DESCRIPTION; }

}  // namespace atrium
