#include "util/forked_run_pool.hpp"

#include <edgesim/error.hpp>

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace edgesim {
namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

/// An anonymous temporary file (already unlinked) for a child's stdout or stderr.
int anonymous_file() {
  char name[] = "/tmp/edgesim-run-output-XXXXXX";
  const int fd = ::mkstemp(name);
  if (fd < 0)
    throw RuntimeError(fmt::format("cannot create a temporary file: {}", std::strerror(errno)));
  ::unlink(name);
  return fd;
}

std::string read_all(int fd) {
  std::string text;
  char buffer[4096];
  ::lseek(fd, 0, SEEK_SET);
  ssize_t got = 0;
  while ((got = ::read(fd, buffer, sizeof buffer)) > 0)
    text.append(buffer, static_cast<std::size_t>(got));
  return text;
}

/// Makes a signal's default action apply in the child: the parent may catch or block it.
void restore_default(int signal) {
  std::signal(signal, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, signal);
  ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
}

/// SIGALRM handler of a child whose timeout expired: ends it the way ChildPool ends a
/// child that timed out, so the outcome (and a sweep's record of it) does not depend on
/// the pool. kill() is async-signal-safe.
extern "C" void kill_self_on_timeout(int /*signal*/) {
  ::kill(::getpid(), SIGKILL);
}

/// The child: never returns, never unwinds into the parent's frames.
[[noreturn]] void run_child(const RunEntry& entry, const ChildSpec& spec, pid_t parent, int out_fd, int err_fd) {
  // A coordinator killed with SIGKILL cannot stop its runs: the kernel does it. The
  // parent may have died between fork() and prctl(): then we are orphaned already.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent)
    std::_Exit(127);
  const int null_fd = ::open("/dev/null", O_RDONLY);
  if (null_fd < 0 || ::dup2(null_fd, STDIN_FILENO) < 0 || ::dup2(out_fd, STDOUT_FILENO) < 0 ||
      ::dup2(err_fd, STDERR_FILENO) < 0)
    std::_Exit(127);
  for (const int signal : {SIGINT, SIGTERM, SIGALRM})
    restore_default(signal);
  if (spec.timeout_seconds > 0) {
    // A real-time timer is not inherited by the run's own forked children (the platform
    // probe), and its SIGALRM interrupts this process wherever it is.
    std::signal(SIGALRM, kill_self_on_timeout);
    itimerval timer{};
    timer.it_value.tv_sec = static_cast<time_t>(spec.timeout_seconds);
    timer.it_value.tv_usec =
        static_cast<suseconds_t>((spec.timeout_seconds - static_cast<double>(timer.it_value.tv_sec)) * 1e6);
    if (timer.it_value.tv_sec == 0 && timer.it_value.tv_usec == 0)
      timer.it_value.tv_usec = 1;
    ::setitimer(ITIMER_REAL, &timer, nullptr);
  }
  int code = 3;
  // Worded as run_guarded words a subcommand's errors ("edgesim run: error: ...").
  const std::string command = spec.argv.size() > 1 ? spec.argv[1] : "run";
  try {
    if (!spec.working_dir.empty())
      std::filesystem::current_path(spec.working_dir);
    std::vector<std::string> args(spec.argv.begin() + std::min<std::ptrdiff_t>(2, std::ssize(spec.argv)),
                                  spec.argv.end());
    code = entry(std::move(args));
  } catch (const InputError& e) {
    std::fprintf(stderr, "edgesim %s: error: %s\n", command.c_str(), e.what());
    code = 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "edgesim %s: runtime failure: %s\n", command.c_str(), e.what());
    code = 3;
  } catch (...) {
    std::fprintf(stderr, "edgesim %s: runtime failure: unknown exception\n", command.c_str());
    code = 3;
  }
  std::fflush(nullptr);
  std::_Exit(code);
}

} // namespace

ForkedRunPool::ForkedRunPool(unsigned jobs, RunEntry entry) : RunPool(jobs), entry_(std::move(entry)) {}

ForkedRunPool::~ForkedRunPool() {
  for (const Child& child : running_) {
    ::kill(child.pid, SIGKILL);
    int status = 0;
    while (::waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
    }
    ::close(child.out_fd);
    ::close(child.err_fd);
  }
}

void ForkedRunPool::start(std::size_t tag, ChildSpec spec) {
  const int out_fd = anonymous_file();
  const int err_fd = anonymous_file();
  std::fflush(nullptr);
  const pid_t parent = ::getpid();
  // Before fork(): the child arms its timeout right after it, and next() recognises a
  // timeout by wall_seconds >= timeout, which must hold however late the parent resumes.
  const double started = now_seconds();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int error = errno;
    ::close(out_fd);
    ::close(err_fd);
    throw RuntimeError(fmt::format("fork failed: {}", std::strerror(error)));
  }
  if (pid == 0)
    run_child(entry_, spec, parent, out_fd, err_fd);
  running_.push_back(Child{pid, tag, out_fd, err_fd, started, spec.timeout_seconds});
}

std::optional<std::pair<std::size_t, ChildOutcome>> ForkedRunPool::next() {
  while (!running_.empty()) {
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno != EINTR)
        throw RuntimeError(fmt::format("waitpid failed: {}", std::strerror(errno)));
      interrupted();
      continue;
    }
    auto it = std::find_if(running_.begin(), running_.end(), [&](const Child& c) { return c.pid == pid; });
    if (it == running_.end())
      continue; // not ours (e.g. a probe child reaped elsewhere)
    const Child child = *it;
    running_.erase(it);
    ChildOutcome outcome;
    outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    outcome.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    outcome.wall_seconds = now_seconds() - child.started;
    // SIGKILL once the timer may have expired is the timeout (kill_self_on_timeout).
    outcome.timed_out =
        child.timeout_seconds > 0 && outcome.signal == SIGKILL && outcome.wall_seconds >= child.timeout_seconds;
    outcome.out = read_all(child.out_fd);
    outcome.err = read_all(child.err_fd);
    ::close(child.out_fd);
    ::close(child.err_fd);
    start_queued();
    return std::make_pair(child.tag, std::move(outcome));
  }
  return std::nullopt;
}

void ForkedRunPool::signal_running(int signal) {
  for (const Child& child : running_)
    ::kill(child.pid, signal);
}

} // namespace edgesim
