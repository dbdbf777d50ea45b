// `--spawn fork|exec` of `edgesim sweep`, `dataset` and `validate`: how their runs start.
#include "cli.hpp"

#include <edgesim/error.hpp>

#include <fmt/format.h>

namespace edgesim::cli {

run::SpawnMode spawn_mode(const std::string& spawn) {
  if (spawn == "fork")
    return {[](std::vector<std::string> run_args) { return run_guarded("run", cmd_run, std::move(run_args)); }};
  if (spawn == "exec")
    return run::SpawnMode::exec();
  throw InputError(fmt::format("--spawn: expected fork or exec, got \"{}\"", spawn));
}

} // namespace edgesim::cli
