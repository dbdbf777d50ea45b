#include "util/child_process.hpp"

#include <edgesim/error.hpp>

#include <fmt/format.h>

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstring>
#include <thread>

extern char** environ; // NOLINT: POSIX's environment, passed on to children

namespace edgesim {
namespace {

using Clock = std::chrono::steady_clock;

/// Owns one file descriptor.
class Fd {
public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  [[nodiscard]] int get() const { return fd_; }
  [[nodiscard]] bool open() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = -1;
  }

private:
  int fd_ = -1;
};

/// posix_spawn's attribute and file-action objects, destroyed on scope exit.
class SpawnSetup {
public:
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions_);
    posix_spawnattr_init(&attributes_);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions_);
    posix_spawnattr_destroy(&attributes_);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
  posix_spawn_file_actions_t* actions() { return &actions_; }
  posix_spawnattr_t* attributes() { return &attributes_; }

private:
  posix_spawn_file_actions_t actions_{};
  posix_spawnattr_t attributes_{};
};

std::pair<Fd, Fd> make_pipe() {
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC) != 0)
    throw RuntimeError(fmt::format("cannot create a pipe for a child process: {}", std::strerror(errno)));
  Fd read_end(fds[0]);
  Fd write_end(fds[1]);
  // The parent reads without blocking: poll() says which pipe has data.
  ::fcntl(read_end.get(), F_SETFL, ::fcntl(read_end.get(), F_GETFL) | O_NONBLOCK);
  return {std::move(read_end), std::move(write_end)};
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

} // namespace

std::string ChildOutcome::describe() const {
  if (timed_out)
    return fmt::format("timed out after {:.3g} s", wall_seconds);
  if (signal != 0)
    return fmt::format("killed by signal {} ({})", signal, strsignal(signal));
  return fmt::format("exit code {}", exit_code);
}

unsigned available_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
    return static_cast<unsigned>(CPU_COUNT(&set));
  return std::max(1U, std::thread::hardware_concurrency());
}

std::filesystem::path self_executable() {
  std::error_code ec;
  auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec)
    throw RuntimeError(fmt::format("cannot locate the edgesim executable (/proc/self/exe): {}", ec.message()));
  return path;
}

struct ChildPool::Child {
  std::size_t tag = 0;
  pid_t pid = -1;
  Fd out;
  Fd err;
  Clock::time_point started;
  std::optional<Clock::time_point> deadline;
  bool reaped = false;
  ChildOutcome outcome;

  /// Reads what is available on `fd` into `sink`; closes the pipe at end of file.
  static void drain(Fd& fd, std::string& sink) {
    std::array<char, 65536> buffer{};
    while (fd.open()) {
      const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
      if (n > 0) {
        sink.append(buffer.data(), static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return;
      fd.reset(); // end of file, or an error: nothing more will come
    }
  }

  void record_status(int status) {
    reaped = true;
    outcome.wall_seconds = seconds_since(started);
    if (WIFEXITED(status)) {
      outcome.exit_code = WEXITSTATUS(status);
    } else {
      outcome.exit_code = -1;
      outcome.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    }
  }

  /// Reaps the child if it has exited (blocking only if `block`).
  void try_reap(bool block) {
    if (reaped)
      return;
    int status = 0;
    pid_t got = 0;
    do {
      got = ::waitpid(pid, &status, block ? 0 : WNOHANG);
    } while (got < 0 && errno == EINTR);
    if (got == pid)
      record_status(status);
    else if (got < 0) { // not our child any more (SIGCHLD ignored?): nothing to wait for
      reaped = true;
      outcome.exit_code = -1;
      outcome.wall_seconds = seconds_since(started);
    }
  }

  /// Kills the child on SIGKILL, reaps it and keeps what it wrote.
  void kill_and_reap() {
    if (!reaped) {
      ::kill(pid, SIGKILL);
      try_reap(true);
    }
    drain(out, outcome.out);
    drain(err, outcome.err);
    out.reset();
    err.reset();
  }

  [[nodiscard]] bool done() const { return reaped && !out.open() && !err.open(); }
};

ChildPool::ChildPool(unsigned jobs) : RunPool(jobs) {}

ChildPool::~ChildPool() {
  for (auto& child : running_)
    child->kill_and_reap();
}

void ChildPool::signal_running(int signal) {
  for (const auto& child : running_)
    if (!child->reaped)
      ::kill(child->pid, signal);
}

void ChildPool::start(std::size_t tag, ChildSpec spec) {
  if (spec.argv.empty())
    throw RuntimeError("child process: empty argv");
  // Everything the child needs is prepared here; posix_spawn then only dups and execs.
  std::vector<char*> argv;
  argv.reserve(spec.argv.size() + 1);
  for (auto& a : spec.argv)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e)
    envp.push_back(*e);
  for (auto& e : spec.extra_env)
    envp.push_back(e.data());
  envp.push_back(nullptr);

  auto [out_read, out_write] = make_pipe();
  auto [err_read, err_write] = make_pipe();
  SpawnSetup setup;
  posix_spawn_file_actions_addopen(setup.actions(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(setup.actions(), out_write.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(setup.actions(), err_write.get(), STDERR_FILENO);
  const std::string working_dir = spec.working_dir.string();
  if (!working_dir.empty())
    posix_spawn_file_actions_addchdir_np(setup.actions(), working_dir.c_str());
  // The child starts with no signal blocked and SIGPIPE at its default action, whatever
  // the parent did with them.
  sigset_t signals;
  sigemptyset(&signals);
  posix_spawnattr_setsigmask(setup.attributes(), &signals);
  sigaddset(&signals, SIGPIPE);
  posix_spawnattr_setsigdefault(setup.attributes(), &signals);
  posix_spawnattr_setflags(setup.attributes(), POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  auto child = std::make_unique<Child>();
  child->tag = tag;
  child->started = Clock::now();
  if (spec.timeout_seconds > 0)
    child->deadline = child->started +
                      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(spec.timeout_seconds));
  const int error = ::posix_spawn(&child->pid, argv[0], setup.actions(), setup.attributes(), argv.data(), envp.data());
  if (error != 0) {
    ChildOutcome failed;
    failed.exit_code = 127;
    failed.err = fmt::format("cannot execute {}{}: {}\n", spec.argv[0], working_dir.empty() ? "" : " in " + working_dir,
                             std::strerror(error));
    finished_.emplace_back(tag, std::move(failed));
    return;
  }
  child->out = std::move(out_read);
  child->err = std::move(err_read);
  running_.push_back(std::move(child));
}

std::optional<std::pair<std::size_t, ChildOutcome>> ChildPool::next() {
  while (true) {
    start_queued();
    if (!finished_.empty()) {
      auto result = std::move(finished_.front());
      finished_.erase(finished_.begin());
      return result;
    }
    for (auto it = running_.begin(); it != running_.end(); ++it) {
      if ((*it)->done()) {
        std::pair<std::size_t, ChildOutcome> result{(*it)->tag, std::move((*it)->outcome)};
        running_.erase(it);
        start_queued();
        return result;
      }
    }
    if (running_.empty())
      return std::nullopt;

    // Wait for output, end of file, a deadline, or (for a child that closed its pipes
    // but has not exited yet) the next check of its status.
    std::vector<pollfd> fds;
    std::vector<std::pair<Child*, bool>> owners; // child, is stderr
    int timeout_ms = -1;
    const auto now = Clock::now();
    for (auto& child : running_) {
      for (const bool is_err : {false, true}) {
        const Fd& fd = is_err ? child->err : child->out;
        if (fd.open()) {
          fds.push_back(pollfd{fd.get(), POLLIN, 0});
          owners.emplace_back(child.get(), is_err);
        }
      }
      auto wait_at_most = [&timeout_ms](int ms) { timeout_ms = timeout_ms < 0 ? ms : std::min(timeout_ms, ms); };
      if (!child->out.open() && !child->err.open())
        wait_at_most(10);
      if (child->deadline) {
        const double left = std::chrono::duration<double>(*child->deadline - now).count();
        wait_at_most(std::max(0, static_cast<int>(std::ceil(left * 1e3))));
      }
    }
    const int ready = ::poll(fds.data(), fds.size(), timeout_ms);
    if (ready < 0 && errno == EINTR) {
      interrupted();
      continue;
    }
    for (std::size_t k = 0; ready > 0 && k < fds.size(); ++k) {
      if (fds[k].revents == 0)
        continue;
      auto [child, is_err] = owners[k];
      Child::drain(is_err ? child->err : child->out, is_err ? child->outcome.err : child->outcome.out);
    }
    const auto after = Clock::now();
    for (auto& child : running_) {
      if (child->deadline && !child->reaped && after >= *child->deadline) {
        child->outcome.timed_out = true;
        child->kill_and_reap();
        continue;
      }
      if (!child->out.open() && !child->err.open())
        child->try_reap(false);
    }
  }
}

ChildOutcome run_child(const ChildSpec& spec) {
  ChildPool pool(1);
  pool.submit(0, spec);
  return pool.next()->second;
}

} // namespace edgesim
