#include "cli.hpp"

#include <fmt/format.h>

#include <cmath>

namespace edgesim::cli {
namespace {

std::string ms(double seconds) {
  return std::isfinite(seconds) ? fmt::format("{:.2f}", seconds * 1e3) : "-";
}
std::string pct(double fraction) {
  return std::isfinite(fraction) ? fmt::format("{:.2f}", fraction * 100) : "-";
}

} // namespace

std::string summary_table(const RunSummary& run) {
  const auto& [summary, hosts, links, simulated_seconds] = run;
  std::string out = fmt::format("simulated {:.3f} s\n\n", simulated_seconds);
  out += fmt::format("{:<16} {:>9} {:>9} {:>8} {:>7} {:>9} {:>9} {:>9} {:>9} {:>7} {:>7} {:>10}\n", "tenant", "offered",
                     "served", "lost", "loss%", "thr/s", "mean ms", "p95 ms", "p99 ms", "acc%", "slo%", "energy J");
  for (const auto& r : summary)
    out += fmt::format("{:<16} {:>9} {:>9} {:>8} {:>7} {:>9.3f} {:>9} {:>9} {:>9} {:>7} {:>7} {:>10.2f}\n", r.tenant,
                       r.offered, r.served, r.lost, pct(r.loss_ratio), r.throughput, ms(r.latency_mean),
                       ms(r.latency_p95), ms(r.latency_p99), pct(r.accuracy), pct(r.slo_violation_ratio), r.energy_j);
  out += fmt::format("\n{:<16} {:>10} {:>10} {:>7} {:>9} {:>8} {:>8} {:>7} {:>9}\n", "host", "energy J", "static J",
                     "busy%", "served", "lost", "mean q", "soc%", "down at");
  for (const auto& h : hosts)
    out += fmt::format("{:<16} {:>10.2f} {:>10.2f} {:>7} {:>9} {:>8} {:>8.3f} {:>7} {:>9}\n", h.name, h.energy_j,
                       h.energy_static_j, pct(h.busy_fraction), h.served, h.lost, h.mean_queue, pct(h.battery_soc_end),
                       h.down_at >= 0 ? fmt::format("{:.2f}", h.down_at) : "-");
  for (const auto& l : links)
    out += fmt::format("link {:<11} {:>10.2f} J {:>14.0f} bytes\n", l.name, l.energy_j, l.bytes);
  return out;
}

boost::program_options::variables_map
parse_with_positional(const std::vector<std::string>& args, const boost::program_options::options_description& options,
                      const char* positional_name, const boost::program_options::value_semantic* positional_value,
                      int max_positional) {
  namespace po = boost::program_options;
  po::options_description hidden;
  hidden.add_options()(positional_name, positional_value);
  po::positional_options_description positional;
  positional.add(positional_name, max_positional);
  po::options_description all;
  all.add(options).add(hidden);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  po::notify(vm);
  return vm;
}

std::vector<std::string> take_simgrid_args(std::vector<std::string>& args) {
  std::vector<std::string> simgrid;
  std::vector<std::string> rest;
  for (auto& a : args) {
    if (a.rfind("--cfg=", 0) == 0 || a.rfind("--log=", 0) == 0)
      simgrid.push_back(std::move(a));
    else
      rest.push_back(std::move(a));
  }
  args = std::move(rest);
  return simgrid;
}

} // namespace edgesim::cli
