#include "run/run_launcher.hpp"

#include <edgesim/error.hpp>

#include "io/summary_json.hpp"
#include "util/child_process.hpp"

#include <fmt/format.h>

namespace edgesim::run {
namespace {

/// The last non-empty line of `text`, at most 500 bytes: a child's one-line error.
std::string last_line(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.remove_suffix(1);
  const auto newline = text.rfind('\n');
  std::string line(newline == std::string_view::npos ? text : text.substr(newline + 1));
  if (line.size() > 500)
    line.resize(500);
  return line;
}

ChildSpec child_spec(const RunRequest& request) {
  ChildSpec spec;
  // A forked child ignores argv[0]; an exec'd one runs it.
  spec.argv.push_back(self_executable().string());
  spec.argv.emplace_back("run");
  for (std::string& argument : run_arguments(request))
    spec.argv.push_back(std::move(argument));
  spec.working_dir = request.working_dir;
  spec.timeout_seconds = request.timeout_seconds;
  spec.extra_env = request.extra_env;
  return spec;
}

} // namespace

std::vector<std::string> run_arguments(const RunRequest& request) {
  std::vector<std::string> args{request.scenario.string()};
  if (!request.base_dir.empty()) {
    args.emplace_back("--base-dir");
    args.push_back(request.base_dir.string());
  }
  args.emplace_back("--json");
  args.emplace_back("-q");
  if (request.seed) {
    args.emplace_back("--seed");
    args.push_back(std::to_string(*request.seed));
  }
  if (!request.output.empty()) {
    args.emplace_back("-o");
    args.push_back(request.output.string());
  }
  if (!request.trace_requests)
    args.emplace_back("--no-trace");
  for (const std::string& assignment : request.overrides) {
    args.emplace_back("--set");
    args.push_back(assignment);
  }
  args.insert(args.end(), request.engine_args.begin(), request.engine_args.end());
  return args;
}

RunLauncher::RunLauncher(unsigned jobs, const SpawnMode& spawn) : pool_(make_run_pool(jobs, spawn.fork_entry)) {}

void RunLauncher::submit(std::size_t tag, const RunRequest& request) {
  pool_->submit(tag, child_spec(request));
}

std::optional<std::pair<std::size_t, RunResult>> RunLauncher::next() {
  auto finished = pool_->next();
  if (!finished)
    return std::nullopt;
  return std::pair{finished->first, run_result(finished->second)};
}

RunResult run_result(const ChildOutcome& outcome) {
  RunResult result;
  result.exit_code = outcome.exit_code;
  result.signal = outcome.signal;
  result.wall_seconds = outcome.wall_seconds;
  if (!outcome.ok()) {
    result.failure = outcome.describe();
    result.message = last_line(outcome.err);
    return result;
  }
  try {
    result.summary = io::parse_run_summary_json(outcome.out);
    std::string_view json = outcome.out;
    while (!json.empty() && json.back() == '\n')
      json.remove_suffix(1);
    result.summary_json = json;
  } catch (const RuntimeError& e) {
    result.failure = fmt::format("unreadable summary: {}", e.what());
  }
  return result;
}

RunResult run_in_fresh_process(const RunRequest& request) {
  return run_result(run_child(child_spec(request)));
}

} // namespace edgesim::run
