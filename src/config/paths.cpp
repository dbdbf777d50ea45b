#include "config/paths.hpp"

#include <filesystem>
#include <fstream>

namespace edgesim {

std::string parent_directory(const std::string& file) {
  auto parent = std::filesystem::path(file).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

std::string resolve_input_path(const std::string& name, const std::string& base_dir) {
  namespace fs = std::filesystem;
  fs::path path(name);
  if (path.is_absolute())
    return name;
  std::error_code ec;
  for (const fs::path& base : {fs::path(base_dir), fs::current_path(ec), fs::path(EDGESIM_SOURCE_DIR)}) {
    fs::path candidate = base / path;
    if (fs::exists(candidate, ec))
      return candidate.lexically_normal().string();
  }
  return name; // the caller's open fails and names the path as the user wrote it
}

bool is_readable_regular_file(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec) && std::ifstream(path).good();
}

} // namespace edgesim
