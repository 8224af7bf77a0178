#include "common/install_paths.h"

namespace atrium {

std::optional<std::filesystem::path> installedFile(const std::filesystem::path& relative) {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return std::nullopt;
  auto path = exe.parent_path().parent_path() / "share/atrium" / relative;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  return path;
}

}  // namespace atrium
