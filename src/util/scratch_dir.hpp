#pragma once
// A fresh private directory (mkdtemp) removed with everything in it at destruction:
// where child runs write the files nobody keeps.
#include <filesystem>
#include <string_view>

namespace edgesim {

class ScratchDir {
public:
  /// Creates `<parent>/<prefix>XXXXXX`. Parent empty: /dev/shm where it is a writable
  /// directory (a memory file system: the children's throwaway files and their fsyncs
  /// cost no disk I/O), else the system's temporary directory.
  explicit ScratchDir(std::string_view prefix, const std::filesystem::path& parent = {});
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
  std::filesystem::path path_;
};

} // namespace edgesim
