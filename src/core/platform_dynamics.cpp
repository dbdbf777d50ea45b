#include "core/platform_dynamics.hpp"

#include <edgesim/error.hpp>

#include <simgrid/s4u.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace sg4 = simgrid::s4u;

namespace edgesim {
namespace {

void check_link(const Scenario& scenario, const PlatformInfo& platform, std::string_view name, const std::string& key) {
  const ProbedLink* link = platform.find_link(name);
  if (link == nullptr)
    throw InputError(fmt::format("{}: {}: expected the name of a link of platform {} (no link named \"{}\")",
                                 scenario.file, key, platform.file, name));
  if (link->wifi)
    throw InputError(fmt::format("{}: {}: expected a wired link: \"{}\" is a WiFi link, whose bandwidth SimGrid "
                                 "derives from each station's rate",
                                 scenario.file, key, name));
}

void check_host(const Scenario& scenario, const PlatformInfo& platform, std::string_view name, const std::string& key) {
  if (platform.find(name) == nullptr)
    throw InputError(fmt::format("{}: {}: expected the name of a host of platform {} (no host named \"{}\")",
                                 scenario.file, key, platform.file, name));
}

} // namespace

void check_platform_dynamics(const Scenario& scenario, const PlatformInfo& platform) {
  // A state profile in the XML turns hosts or links off inside SimGrid, failing the
  // controller's activities (or killing it); availability belongs in the scenario.
  if (platform.xml_text.find("state_file") != std::string::npos)
    throw InputError(fmt::format("{}: state_file: expected no SimGrid state profiles in the platform (a host or link "
                                 "turned off aborts the run); use [[dynamics.hosts]] available = [...] in the "
                                 "scenario instead",
                                 platform.file));
  const PlatformDynamics& dynamics = scenario.dynamics;
  for (const auto& [name, settings] : dynamics.link_overrides)
    check_link(scenario, platform, name, settings.path);
  for (const auto& link : dynamics.links)
    check_link(scenario, platform, link.link, link.path + ".link");
  for (const auto& host : dynamics.hosts)
    check_host(scenario, platform, host.host, host.path + ".host");
  for (const auto& share : dynamics.shares)
    if (!share.host.empty())
      check_host(scenario, platform, share.host, share.path + ".host");
}

void mark_initially_unavailable(PlacementInputs& inputs, const PlatformDynamics& dynamics) {
  for (const auto& entry : dynamics.hosts) {
    if (entry.available.empty() || entry.available.front().at > 0 || entry.available.front().value)
      continue;
    for (auto& host : inputs.hosts)
      if (host.name == entry.host)
        host.available = false;
  }
}

void apply_initial_link_settings(const PlatformDynamics& dynamics) {
  auto* engine = sg4::Engine::get_instance();
  for (const auto& [name, settings] : dynamics.link_overrides) {
    sg4::Link* link = engine->link_by_name_or_null(name);
    if (link == nullptr || link->get_sharing_policy() == sg4::Link::SharingPolicy::WIFI)
      continue;
    if (settings.bandwidth)
      link->set_bandwidth(*settings.bandwidth);
    if (settings.latency)
      link->set_latency(*settings.latency);
  }
  for (const auto& entry : dynamics.links) {
    sg4::Link* link = engine->link_by_name_or_null(entry.link);
    if (link == nullptr || link->get_sharing_policy() == sg4::Link::SharingPolicy::WIFI)
      continue;
    if (!entry.bandwidth.empty() && entry.bandwidth.front().at == 0)
      link->set_bandwidth(entry.bandwidth.front().value);
    if (!entry.latency.empty() && entry.latency.front().at == 0)
      link->set_latency(entry.latency.front().value);
  }
}

PlatformSchedule::PlatformSchedule(const PlatformDynamics& dynamics, const PlatformInfo& platform) {
  auto* engine = sg4::Engine::get_instance();
  apply_initial_link_settings(dynamics);
  for (const auto& entry : dynamics.links) {
    sg4::Link* link = engine->link_by_name(entry.link);
    for (const auto& step : entry.bandwidth)
      changes_.push_back(PlatformChange{step.at, PlatformChange::Kind::LinkBandwidth, link, -1, step.value});
    for (const auto& step : entry.latency)
      changes_.push_back(PlatformChange{step.at, PlatformChange::Kind::LinkLatency, link, -1, step.value});
  }
  for (const auto& entry : dynamics.hosts) {
    const int host = platform.index_of(entry.host);
    for (const auto& step : entry.available)
      changes_.push_back(
          PlatformChange{step.at, PlatformChange::Kind::HostAvailable, nullptr, host, step.value ? 1.0 : 0.0});
  }
  std::stable_sort(changes_.begin(), changes_.end(),
                   [](const PlatformChange& a, const PlatformChange& b) { return a.at < b.at; });
}

std::vector<PlatformChange> PlatformSchedule::take_due(double now) {
  std::vector<PlatformChange> host_changes;
  const double tolerance = 1e-12 * std::max(1.0, now);
  for (; next_ < changes_.size() && changes_[next_].at <= now + tolerance; ++next_) {
    const PlatformChange& change = changes_[next_];
    switch (change.kind) {
    case PlatformChange::Kind::LinkBandwidth:
      change.link->set_bandwidth(change.value);
      break;
    case PlatformChange::Kind::LinkLatency:
      change.link->set_latency(change.value);
      break;
    case PlatformChange::Kind::HostAvailable:
      host_changes.push_back(change);
      break;
    }
  }
  return host_changes;
}

} // namespace edgesim
