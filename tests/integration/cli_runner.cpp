#include "cli_runner.hpp"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <utility>

namespace edgesim::test {
namespace {

std::string slurp(const std::string& file) {
  std::ifstream in(file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Starts argv_text[0] (looked up in PATH) with stdout/stderr redirected to files of
// `dir`, in `cwd` (empty: the current directory). Returns the child's pid.
pid_t spawn(std::vector<std::string> argv_text, const TempDir& dir, const std::string& cwd) {
  const std::string out_file = dir.file("stdout");
  const std::string err_file = dir.file("stderr");
  const pid_t pid = fork();
  if (pid < 0)
    throw std::runtime_error("fork failed");
  if (pid == 0) {
    std::FILE* out = std::freopen(out_file.c_str(), "w", stdout);
    std::FILE* err = std::freopen(err_file.c_str(), "w", stderr);
    if (out == nullptr || err == nullptr || (!cwd.empty() && chdir(cwd.c_str()) != 0))
      std::_Exit(127);
    std::vector<char*> argv;
    argv.reserve(argv_text.size() + 1);
    for (auto& a : argv_text)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    std::_Exit(127);
  }
  return pid;
}

// AddressSanitizer warns once per process on stderr when a function that does not return
// (a throw) runs on a stack it does not know, as SimGrid's actors have stacks of their
// own (google/sanitizers#189). That warning is the sanitizer's, not edgesim's output.
std::string without_asan_stack_warning(std::string err) {
  const auto warning = err.find("WARNING: ASan is ignoring requested __asan_handle_no_return");
  constexpr std::string_view kLastLine = "google/sanitizers/issues/189\n";
  const auto last_line = err.find(kLastLine, warning);
  if (warning == std::string::npos || last_line == std::string::npos)
    return err;
  const auto line_start = err.rfind('\n', warning);
  const std::size_t begin = line_start == std::string::npos ? 0 : line_start + 1;
  err.erase(begin, last_line + kLastLine.size() - begin);
  return err;
}

} // namespace

CommandResult run_edgesim(const std::vector<std::string>& args, int timeout_seconds, const std::string& cwd) {
  TempDir dir;
  std::vector<std::string> argv_text{"timeout", "-s", "KILL", std::to_string(timeout_seconds), EDGESIM_BINARY};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  const pid_t pid = spawn(std::move(argv_text), dir, cwd);
  int status = 0;
  waitpid(pid, &status, 0);
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  // timeout(1) reports a killed child as 128 + signal; treat as a crash/hang.
  if (result.exit_code >= 124 && result.exit_code != 127)
    result.exit_code = -1;
  result.out = slurp(dir.file("stdout"));
  result.err = without_asan_stack_warning(slurp(dir.file("stderr")));
  return result;
}

double json_field(const std::string& json, const std::string& object, const std::string& field) {
  std::size_t start = 0;
  if (object == "all") {
    start = json.find("\"all\":");
  } else {
    start = json.find("\"tenant\":\"" + object + "\"");
  }
  if (start == std::string::npos)
    throw std::runtime_error("no object " + object + " in JSON summary");
  const std::string key = "\"" + field + "\":";
  auto pos = json.find(key, start);
  if (pos == std::string::npos)
    throw std::runtime_error("no field " + field + " in JSON summary");
  pos += key.size();
  if (json.compare(pos, 4, "null") == 0)
    return NAN;
  return std::strtod(json.c_str() + pos, nullptr);
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "edgesim-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& name, const std::string& text) const {
  std::string file = this->file(name);
  std::ofstream(file) << text;
  return file;
}

BackgroundRun::BackgroundRun(const std::vector<std::string>& args, const std::string& cwd) {
  std::vector<std::string> argv_text{EDGESIM_BINARY};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  pid_ = spawn(std::move(argv_text), dir_, cwd);
}

BackgroundRun::~BackgroundRun() {
  if (!reaped_) {
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

void BackgroundRun::signal(int signal_number) const {
  if (!reaped_)
    ::kill(pid_, signal_number);
}

int BackgroundRun::wait(int timeout_seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  int status = 0;
  rusage usage{};
  while (wait4(pid_, &status, WNOHANG, &usage) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      wait4(pid_, &status, 0, &usage);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  reaped_ = true;
  max_rss_kib_ = usage.ru_maxrss;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

std::string BackgroundRun::err() const {
  return without_asan_stack_warning(slurp(dir_.file("stderr")));
}

} // namespace edgesim::test
