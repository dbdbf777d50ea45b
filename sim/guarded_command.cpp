// How a subcommand's exceptions become one stderr line and an exit code (docs/cli.md).
// Shared by main() and by the `run` children that sweeps and datasets fork, so a forked
// run reports an error exactly as `edgesim run` in a fresh process does.
#include "cli.hpp"

#include <edgesim/error.hpp>

#include <boost/program_options/errors.hpp>
#include <fmt/format.h>

#include <exception>

namespace edgesim::cli {

int run_guarded(const std::string& command, const Subcommand& subcommand, std::vector<std::string> args) {
  try {
    return subcommand(std::move(args));
  } catch (const InputError& e) {
    fmt::print(stderr, "edgesim {}: error: {}\n", command, e.what());
    return kInvalidInput;
  } catch (const boost::program_options::error& e) {
    fmt::print(stderr, "edgesim {}: {} (see edgesim {} --help)\n", command, e.what(), command);
    return kUsage;
  } catch (const std::exception& e) {
    fmt::print(stderr, "edgesim {}: runtime failure: {}\n", command, e.what());
    return kRuntimeFailure;
  }
}

} // namespace edgesim::cli
