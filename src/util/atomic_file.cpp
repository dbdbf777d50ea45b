#include "util/atomic_file.hpp"

#include <edgesim/error.hpp>

#include <fmt/format.h>

#include <csignal>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace fs = std::filesystem;

namespace edgesim {
namespace {

/// 0, or the errno of the failing open() or fsync().
int fsync_path(const fs::path& path, int extra_open_flags) {
  const int descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | extra_open_flags);
  if (descriptor < 0)
    return errno;
  const int error = ::fsync(descriptor) == 0 ? 0 : errno;
  ::close(descriptor);
  return error;
}

std::optional<pid_t> parse_pid(std::string_view digits) {
  pid_t pid = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
  if (error != std::errc() || end != digits.data() + digits.size() || pid <= 0)
    return std::nullopt;
  return pid;
}

bool process_is_alive(pid_t pid) {
  // Signal 0 only checks existence; EPERM means it exists but belongs to someone else.
  return ::kill(pid, 0) == 0 || errno == EPERM;
}

void remove_quietly(const fs::path& path) {
  std::error_code ignored;
  fs::remove_all(path, ignored);
}

} // namespace

fs::path temporary_path(const fs::path& path, long pid) {
  return {path.native() + ".tmp." + std::to_string(pid)};
}

fs::path temporary_path(const fs::path& path) {
  return temporary_path(path, ::getpid());
}

std::size_t remove_stale_temporaries(const fs::path& path) {
  const fs::path directory = path.has_parent_path() ? path.parent_path() : fs::path(".");
  const std::string prefix = path.filename().string() + ".tmp.";
  std::size_t removed = 0;
  std::error_code iteration_error;
  for (fs::directory_iterator entry(directory, iteration_error), end; !iteration_error && entry != end;
       entry.increment(iteration_error)) {
    const std::string name = entry->path().filename().string();
    if (!name.starts_with(prefix))
      continue;
    const std::optional<pid_t> pid = parse_pid(std::string_view(name).substr(prefix.size()));
    if (!pid || *pid == ::getpid() || process_is_alive(*pid))
      continue;
    std::error_code remove_error;
    if (fs::remove_all(entry->path(), remove_error) > 0)
      ++removed;
  }
  return removed;
}

void commit_temporary(const fs::path& temporary, const fs::path& path, Durability durability) {
  const bool directory = fs::is_directory(temporary);
  if (durability == Durability::Durable && !directory) {
    if (const int error = fsync_path(temporary, 0); error != 0) {
      remove_quietly(temporary);
      throw RuntimeError(fmt::format("{}: cannot make {} durable: fsync failed: {}", path.string(), temporary.string(),
                                     std::generic_category().message(error)));
    }
  }
  std::error_code error;
  if (directory)
    fs::remove_all(path, error); // rename() replaces a file but not a non-empty directory
  fs::rename(temporary, path, error);
  if (error) {
    remove_quietly(temporary);
    throw RuntimeError(
        fmt::format("{}: cannot rename {} onto it: {}", path.string(), temporary.string(), error.message()));
  }
  if (durability == Durability::Durable) {
    // Makes the rename itself durable. Best effort: some file systems refuse to fsync a
    // directory, and the file's data is already safe.
    (void)fsync_path(path.has_parent_path() ? path.parent_path() : fs::path("."), O_DIRECTORY);
  }
}

void write_atomically(const fs::path& path, const std::function<void(const fs::path&)>& write, Durability durability) {
  const fs::path temporary = temporary_path(path);
  try {
    write(temporary);
  } catch (...) {
    remove_quietly(temporary);
    throw;
  }
  commit_temporary(temporary, path, durability);
}

} // namespace edgesim
