#include "util/scratch_dir.hpp"

#include <edgesim/error.hpp>

#include <fmt/format.h>

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace edgesim {

ScratchDir::ScratchDir(std::string_view prefix, const std::filesystem::path& parent) {
  std::filesystem::path base = parent;
  if (base.empty()) {
    std::error_code ec;
    base = std::filesystem::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK | X_OK) == 0
               ? std::filesystem::path("/dev/shm")
               : std::filesystem::temp_directory_path();
  }
  std::string pattern = (base / (std::string(prefix) + "XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr)
    throw RuntimeError(fmt::format("cannot create a temporary directory {}: {}", pattern, std::strerror(errno)));
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

} // namespace edgesim
