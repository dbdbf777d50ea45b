// `--spawn fork|exec` of `edgesim sweep` and `edgesim dataset`: how their runs start.
#include "cli.hpp"

#include <edgesim/error.hpp>

#include <fmt/format.h>

namespace edgesim::cli {

RunEntry run_entry_for_spawn(const std::string& spawn) {
  if (spawn == "fork")
    return [](std::vector<std::string> run_args) { return run_guarded("run", cmd_run, std::move(run_args)); };
  if (spawn == "exec")
    return {};
  throw InputError(fmt::format("--spawn: expected fork or exec, got \"{}\"", spawn));
}

} // namespace edgesim::cli
