#pragma once
// Runs the edgesim executable from integration tests and captures its output.
#include <string>
#include <vector>

namespace edgesim::test {

struct CommandResult {
  int exit_code = -1; // -1 when killed by a signal
  std::string out;
  std::string err;
};

/// Runs EDGESIM_BINARY with `args` (no shell), under `timeout` seconds, in directory
/// `cwd` (empty: the current one).
CommandResult run_edgesim(const std::vector<std::string>& args, int timeout_seconds = 120, const std::string& cwd = {});

/// Extracts a numeric field from the "all" object or tenant `tenant` of a --json summary.
double json_field(const std::string& json, const std::string& object, const std::string& field);

/// A fresh temporary directory removed at destruction.
class TempDir {
public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::string file(const std::string& name) const { return path_ + "/" + name; }
  std::string write(const std::string& name, const std::string& text) const;

private:
  std::string path_;
};

} // namespace edgesim::test
