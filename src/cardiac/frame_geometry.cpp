#include "cardiac/frame_geometry.h"

#include <cstdio>

namespace atrium::cardiac {

std::string decimalString(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace atrium::cardiac
