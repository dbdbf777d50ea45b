#include "core/platform_probe.hpp"

#include "config/paths.hpp"
#include "core/probe_host_record.hpp"

#include <edgesim/error.hpp>

#include "core/platform_dynamics.hpp"
#include "core/route_table.hpp"

#include <simgrid/plugins/energy.h>
#include <simgrid/s4u.hpp>
#include <xbt/log.h>

#include <fmt/format.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace edgesim {
namespace {

// First line the child writes on the pipe once SimGrid accepted the --cfg/--log options:
// a failure without it is an option error, not a platform error.
constexpr const char* kOptionsAccepted = "#options-ok";
// First field of the lines the child writes for links, hosts and routes ("R").
constexpr const char* kLinkLine = "L";
constexpr const char* kHostLine = "H";
// Prefix of the line the child writes on stderr for an exception it caught.
constexpr const char* kChildError = "edgesim-probe: ";

void write_all(int fd, const std::string& text) {
  const char* data = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    auto written = ::write(fd, data, left);
    if (written <= 0)
      std::_Exit(4);
    data += written;
    left -= static_cast<std::size_t>(written);
  }
}

// Runs in the child: prints one line per host, link and route on `out`.
[[noreturn]] void probe_in_child(const std::string& file, std::vector<std::string> args,
                                 const std::string& network_model, const PlatformDynamics& dynamics, int out_fd) {
  args.insert(args.begin(), "edgesim-probe");
  std::vector<char*> argv;
  argv.reserve(args.size());
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  int argc = static_cast<int>(args.size());
  xbt_log_control_set("root.thresh:critical");
  // SimGrid reports some errors by throwing (platform parse errors): they must not
  // unwind into the parent's code that this forked child shares. The engine is never
  // destroyed: the child ends with _Exit.
  try {
    auto* engine = new simgrid::s4u::Engine(&argc, argv.data());
    write_all(out_fd, std::string(kOptionsAccepted) + "\n");
    sg_host_energy_plugin_init();
    engine->set_config("network/model:" + network_model);
    engine->set_config("network/crosstraffic:0");
    engine->load_platform(file);
    apply_initial_link_settings(dynamics);
    const std::vector<simgrid::s4u::Host*> hosts = engine->get_all_hosts();
    std::string text;
    for (const auto* host : hosts) {
      auto property = [&](const char* name) -> std::optional<std::string> {
        const char* value = host->get_property(name);
        return value != nullptr ? std::optional<std::string>(value) : std::nullopt;
      };
      ProbeHostRecord record;
      record.name = host->get_name();
      record.cores = host->get_core_count();
      for (unsigned long p = 0; p < host->get_pstate_count(); ++p) {
        const HostPower power = host_power(*host, p);
        record.pstate_speeds.push_back(host->get_pstate_speed(p));
        record.idle_watts.push_back(power.idle_watts);
        record.busy_watts.push_back(power.busy_watts);
      }
      record.ram_bytes = property("ram_bytes");
      record.device_class = property("device_class");
      record.battery_wh = property("battery_wh");
      record.wifi_rate = property("wifi_rate");
      record.has_wattage = host->get_property("wattage_per_state") != nullptr;
      record.tx_watts = host_tx_watts(*host, hosts);
      // Every property, for tools that copy hosts (dataset generation).
      for (const auto& [key, value] : *host->get_properties())
        record.properties.emplace(key, value);
      text += kHostLine;
      text += '\t';
      text += encode_host_record(record);
    }
    for (const auto* link : engine->get_all_links()) {
      if (link->get_name() == "__loopback__")
        continue;
      text += fmt::format("{}\t{}\t{:.17g}\t{:.17g}\t{}\n", kLinkLine, link->get_name(), link->get_bandwidth(),
                          link->get_latency(),
                          link->get_sharing_policy() == simgrid::s4u::Link::SharingPolicy::WIFI ? 1 : 0);
    }
    auto routes = read_routes(hosts);
    if (std::any_of(routes.begin(), routes.end(), [](const RouteReading& r) { return r.crosses_wifi; })) {
      attach_wifi_stations(hosts);
      simgrid::s4u::Actor::create("edgesim-probe", hosts.front(), [&routes] { measure_wifi_routes(routes); });
      engine->run();
    }
    for (const auto& reading : routes)
      text += fmt::format("R\t{}\t{}\t{:.17g}\t{:.17g}\n", reading.route.from, reading.route.to,
                          reading.route.bandwidth_Bps, reading.route.latency_s);
    write_all(out_fd, text);
  } catch (const std::exception& e) {
    std::string message = fmt::format("{}{}\n", kChildError, e.what());
    std::fputs(message.c_str(), stderr);
    std::fflush(stderr);
    std::_Exit(1);
  } catch (...) {
    std::fputs(kChildError, stderr);
    std::fputs("unknown exception\n", stderr);
    std::fflush(stderr);
    std::_Exit(1);
  }
  std::_Exit(0);
}

// The one line of SimGrid's output that says what went wrong: the message of an
// exception the child caught, else the first CRITICAL line (an abort), else the last
// line before a backtrace.
std::string last_message(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  std::string last;
  std::string critical;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (line.rfind(kChildError, 0) == 0)
      return line.substr(std::string_view(kChildError).size());
    if (line.find("Backtrace") != std::string::npos)
      break;
    if (line.empty() || line.rfind("  ", 0) == 0)
      continue;
    // Strip SimGrid's "[time] file:line: [category/PRIORITY] " prefix.
    if (auto pos = line.find("/CRITICAL] "); pos != std::string::npos && line.front() == '[') {
      if (critical.empty())
        critical = line.substr(pos + 11);
      continue;
    }
    last = line;
  }
  std::string best = !critical.empty() ? critical : last;
  if (best.rfind("Uncaught exception ", 0) == 0)
    best = best.substr(19);
  return best.empty() ? "SimGrid could not load it" : best;
}

} // namespace

const ProbedHost* PlatformInfo::find(std::string_view name) const {
  auto it = std::find_if(hosts.begin(), hosts.end(), [&](const ProbedHost& h) { return h.info.name == name; });
  return it == hosts.end() ? nullptr : &*it;
}

const ProbedLink* PlatformInfo::find_link(std::string_view name) const {
  auto it = std::find_if(links.begin(), links.end(), [&](const ProbedLink& l) { return l.name == name; });
  return it == links.end() ? nullptr : &*it;
}

int PlatformInfo::index_of(std::string_view name) const {
  auto it = std::find_if(hosts.begin(), hosts.end(), [&](const ProbedHost& h) { return h.info.name == name; });
  return it == hosts.end() ? -1 : static_cast<int>(it - hosts.begin());
}

PlatformInfo probe_platform(const std::string& file, const std::vector<std::string>& simgrid_args,
                            const std::string& network_model, const PlatformDynamics& dynamics) {
  PlatformInfo info;
  info.file = file;
  {
    std::ifstream in;
    if (is_readable_regular_file(file))
      in.open(file, std::ios::binary);
    if (!in.is_open())
      throw InputError(fmt::format("{}: cannot open platform file", file));
    std::ostringstream text;
    text << in.rdbuf();
    info.xml_text = text.str();
  }
  char err_template[] = "/tmp/edgesim-probe-XXXXXX";
  int err_fd = mkstemp(err_template);
  int pipe_fds[2];
  if (err_fd < 0 || pipe(pipe_fds) != 0)
    throw RuntimeError("cannot create the pipe/temp file to probe the platform");
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0)
    throw RuntimeError("fork failed while probing the platform");
  if (pid == 0) {
    ::close(pipe_fds[0]);
    ::dup2(err_fd, STDERR_FILENO);
    ::dup2(err_fd, STDOUT_FILENO);
    probe_in_child(file, simgrid_args, network_model, dynamics, pipe_fds[1]);
  }
  ::close(pipe_fds[1]);
  std::string output;
  char buffer[4096];
  ssize_t got = 0;
  while ((got = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0)
    output.append(buffer, static_cast<std::size_t>(got));
  ::close(pipe_fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  std::string errors;
  {
    std::ifstream err(err_template);
    std::ostringstream text;
    text << err.rdbuf();
    errors = text.str();
  }
  ::close(err_fd);
  std::remove(err_template);
  const std::string accepted = std::string(kOptionsAccepted) + "\n";
  const bool options_ok = output.rfind(accepted, 0) == 0;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    if (!options_ok && !simgrid_args.empty()) {
      std::string options;
      for (const auto& a : simgrid_args)
        options += (options.empty() ? "" : " ") + a;
      throw InputError(fmt::format("SimGrid options {}: {}", options, last_message(errors)));
    }
    throw InputError(fmt::format("{}: invalid platform: {}", file, last_message(errors)));
  }
  if (options_ok)
    output.erase(0, accepted.size());

  // Host lines carry their own escaped record; link and route lines are plain fields.
  std::string host_records;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    const std::string host_prefix = std::string(kHostLine) + '\t';
    if (line.starts_with(host_prefix)) {
      host_records += line.substr(host_prefix.size());
      host_records += '\n';
      continue;
    }
    std::vector<std::string> fields;
    std::size_t start = 0;
    for (std::size_t tab = line.find('\t'); tab != std::string::npos; tab = line.find('\t', start)) {
      fields.push_back(line.substr(start, tab - start));
      start = tab + 1;
    }
    fields.push_back(line.substr(start));
    if (fields.size() == 5 && fields[0] == kLinkLine) {
      info.links.push_back(ProbedLink{fields[1], std::stod(fields[2]), std::stod(fields[3]), fields[4] == "1"});
      continue;
    }
    if (fields.size() == 5 && fields[0] == "R") {
      info.routes.push_back(RouteInfo{fields[1], fields[2], std::stod(fields[3]), std::stod(fields[4])});
      continue;
    }
    throw RuntimeError(fmt::format("{}: unexpected platform probe output", file));
  }
  for (const ProbeHostRecord& record : decode_host_records(host_records))
    info.hosts.push_back(validate_host_record(record, file));
  if (info.hosts.empty())
    throw InputError(fmt::format("{}: the platform has no hosts", file));
  std::sort(info.hosts.begin(), info.hosts.end(),
            [](const ProbedHost& a, const ProbedHost& b) { return a.info.name < b.info.name; });
  std::sort(info.links.begin(), info.links.end(),
            [](const ProbedLink& a, const ProbedLink& b) { return a.name < b.name; });
  return info;
}

} // namespace edgesim
