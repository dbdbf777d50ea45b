// `edgesim list policies|processes|platforms|models|columns`.
#include "cli.hpp"
#include "command_options.hpp"

#include <edgesim/error.hpp>
#include <edgesim/policy.hpp>

#include "io/record_schema.hpp"
#include "model/model_loader.hpp"

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>

namespace edgesim::cli {
namespace {

std::filesystem::path data_dir(const char* sub) {
  // Prefer the working directory's copy (a checkout), else the source tree's.
  std::filesystem::path local(sub);
  if (std::filesystem::is_directory(local))
    return local;
  return std::filesystem::path(EDGESIM_SOURCE_DIR) / sub;
}

std::vector<std::filesystem::path> files_in(const std::filesystem::path& dir, const std::string& extension) {
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_directory(dir))
    for (const auto& entry : std::filesystem::directory_iterator(dir))
      if (entry.is_regular_file() && entry.path().extension() == extension)
        files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

} // namespace

int cmd_list(const std::vector<std::string>& args) {
  std::vector<std::string> plugins;
  std::string what;
  boost::program_options::options_description options = command_options();
  add_plugin_option(options, plugins);
  const auto vm = parse_with_positional(args, options, "what", boost::program_options::value(&what), 1);
  if (vm.count("help") != 0) {
    print_help(std::cout,
               {.usage = "edgesim list policies|processes|platforms|models|columns [options]",
                .description = "Shows the registered exit and placement policies, or arrival processes and work "
                               "laws (built-in\nand from --plugin), the shipped platform files with their hosts, "
                               "the shipped model files\nwith their layers, exits, flops and parameters, or the "
                               "columns of a run file (table,\ncolumn, numpy dtype)."},
               options);
    return kOk;
  }
  load_plugins(plugins);
  if (what == "policies") {
    fmt::print("exit policies:\n");
    for (const auto& e : Registry::instance().exit_policies())
      fmt::print("  {:<22} {}\n", e.name, e.description);
    fmt::print("placement policies:\n");
    for (const auto& p : Registry::instance().placement_policies())
      fmt::print("  {:<22} {}\n", p.name, p.description);
    return kOk;
  }
  if (what == "processes") {
    fmt::print("arrival processes:\n");
    for (const auto& a : Registry::instance().arrival_processes())
      fmt::print("  {:<22} {}\n", a.name, a.description);
    fmt::print("work laws:\n");
    for (const auto& w : Registry::instance().work_laws())
      fmt::print("  {:<22} {}\n", w.name, w.description);
    return kOk;
  }
  if (what == "platforms") {
    static const std::regex host_re(R"(<host\s+id=\"([^\"]+)\")");
    for (const auto& file : files_in(data_dir("platforms"), ".xml")) {
      std::ifstream in(file);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      std::string hosts;
      for (auto it = std::sregex_iterator(text.begin(), text.end(), host_re); it != std::sregex_iterator(); ++it)
        hosts += (hosts.empty() ? "" : ", ") + (*it)[1].str();
      fmt::print("  {:<28} hosts: {}\n", file.string(), hosts);
    }
    return kOk;
  }
  if (what == "models") {
    for (const auto& file : files_in(data_dir("scenarios/models"), ".toml")) {
      try {
        auto model = load_model_file(file.string());
        fmt::print("  {:<44} {:<20} {:>3} layers {:>2} exits {:>8.2f} GFLOP {:>7.1f} MB params\n", file.string(),
                   model.name, model.layers.size(), model.exits.size(), model.total_flops() / 1e9,
                   model.total_param_bytes() / 1e6);
      } catch (const InputError& e) {
        fmt::print("  {:<44} invalid: {}\n", file.string(), e.what());
      }
    }
    return kOk;
  }
  if (what == "columns") {
    // One line per column: what a reader of run files (analysis/edgesim_h5.py) checks its
    // field lists against.
    for (const auto& column : io::run_file_columns())
      fmt::print("{} {} {}\n", column.table, column.column, column.dtype);
    return kOk;
  }
  throw boost::program_options::error("expected one of: policies, processes, platforms, models, columns");
}

} // namespace edgesim::cli
