#include "scenario/dynamics_loader.hpp"
#include "config/toml_config.hpp"

#include <edgesim/config_view.hpp>
#include <edgesim/error.hpp>

#include "config/units.hpp"

#include <fmt/format.h>

#include <cmath>
#include <functional>
#include <optional>

namespace edgesim {
namespace {

template <class Value> using ValueParser = std::function<std::optional<Value>(const toml::node&)>;

std::optional<double> parse_time(const toml::node& node) {
  if (node.is_number())
    return node.value<double>();
  if (const auto* text = node.as_string())
    return units::parse_seconds(text->get());
  return std::nullopt;
}

std::optional<double> parse_bandwidth(const toml::node& node) {
  std::optional<double> value;
  if (node.is_number())
    value = node.value<double>();
  else if (const auto* text = node.as_string())
    value = units::parse_bandwidth(text->get());
  if (value && !(*value > 0 && std::isfinite(*value)))
    return std::nullopt;
  return value;
}

std::optional<double> parse_latency(const toml::node& node) {
  auto value = parse_time(node);
  if (value && !(*value >= 0 && std::isfinite(*value)))
    return std::nullopt;
  return value;
}

std::optional<double> parse_share(const toml::node& node) {
  if (!node.is_number())
    return std::nullopt;
  const auto value = node.value<double>();
  if (!value || !(*value > 0 && *value <= 1))
    return std::nullopt;
  return value;
}

std::optional<bool> parse_available(const toml::node& node) {
  if (const auto* flag = node.as_boolean())
    return flag->get();
  return std::nullopt;
}

// A step profile: [[time, value], ...] with times >= 0 strictly increasing.
template <class Value>
std::vector<ProfileStep<Value>> parse_profile(const ConfigView& view, std::string_view key, std::string_view what,
                                              const ValueParser<Value>& parse_value) {
  const std::string shape =
      fmt::format("a step profile [[time, {}], ...] such as [[\"0s\", ...], [\"60s\", ...]]", what);
  const toml::node* node = toml_table(view).get(key);
  const toml::array* steps = node != nullptr ? node->as_array() : nullptr;
  if (steps == nullptr || steps->empty())
    view.fail(key, shape);
  std::vector<ProfileStep<Value>> profile;
  for (std::size_t i = 0; i < steps->size(); ++i) {
    const toml::array* step = steps->get(i)->as_array();
    if (step == nullptr || step->size() != 2)
      view.fail(key, fmt::format("{} (step {} is not a [time, {}] pair)", shape, i, what));
    const auto at = parse_time(*step->get(0));
    if (!at || !(*at >= 0) || !std::isfinite(*at))
      view.fail(key, fmt::format("a time >= 0 such as \"60s\" at step {}", i));
    if (!profile.empty() && !(*at > profile.back().at))
      view.fail(
          key, fmt::format("strictly increasing times (step {} at {} s is not after {} s)", i, *at, profile.back().at));
    const auto value = parse_value(*step->get(1));
    if (!value)
      view.fail(key, fmt::format("{} at step {}", what, i));
    profile.push_back(ProfileStep<Value>{*at, *value});
  }
  return profile;
}

constexpr std::string_view kBandwidthWhat = "a positive bandwidth (\"20MBps\", \"100Mbps\" or bytes/s)";
constexpr std::string_view kLatencyWhat = "a latency >= 0 (\"5ms\" or seconds)";

} // namespace

PlatformDynamics parse_platform_dynamics(const toml::table* links, const toml::table* dynamics,
                                         const std::string& file) {
  PlatformDynamics out;
  if (links != nullptr) {
    const ConfigView links_view = config_view(*links, file, "links");
    for (const auto& [name, node] : *links) {
      const auto* table = node.as_table();
      if (table == nullptr)
        links_view.fail(name.str(), "a table { bandwidth = \"2MBps\", latency = \"5ms\" }");
      LinkSettings settings;
      settings.path = fmt::format("links.{}", name.str());
      const ConfigView view = config_view(*table, file, settings.path);
      view.require_only({"bandwidth", "latency"});
      if (view.has("bandwidth")) {
        settings.bandwidth = parse_bandwidth(*table->get("bandwidth"));
        if (!settings.bandwidth)
          view.fail("bandwidth", kBandwidthWhat);
      }
      if (view.has("latency")) {
        settings.latency = parse_latency(*table->get("latency"));
        if (!settings.latency)
          view.fail("latency", kLatencyWhat);
      }
      out.link_overrides.emplace(std::string(name.str()), std::move(settings));
    }
  }
  if (dynamics == nullptr)
    return out;
  const ConfigView top = config_view(*dynamics, file, "dynamics");
  top.require_only({"links", "hosts", "shares"});
  if (top.has("links")) {
    const std::vector<ConfigView> entries = top.get_table_array("links", "an array of tables ([[dynamics.links]])");
    for (std::size_t i = 0; i < entries.size(); ++i) {
      LinkDynamics link;
      link.path = fmt::format("dynamics.links.{}", i);
      const ConfigView& view = entries[i];
      view.require_only({"link", "bandwidth", "latency"});
      link.link = view.get_string("link");
      if (view.has("bandwidth"))
        link.bandwidth = parse_profile<double>(view, "bandwidth", kBandwidthWhat, parse_bandwidth);
      if (view.has("latency"))
        link.latency = parse_profile<double>(view, "latency", kLatencyWhat, parse_latency);
      if (link.bandwidth.empty() && link.latency.empty())
        view.fail("bandwidth", "a bandwidth and/or latency profile for the link");
      out.links.push_back(std::move(link));
    }
  }
  if (top.has("hosts")) {
    const std::vector<ConfigView> entries = top.get_table_array("hosts", "an array of tables ([[dynamics.hosts]])");
    for (std::size_t i = 0; i < entries.size(); ++i) {
      HostDynamics host;
      host.path = fmt::format("dynamics.hosts.{}", i);
      const ConfigView& view = entries[i];
      view.require_only({"host", "available"});
      host.host = view.get_string("host");
      host.available = parse_profile<bool>(view, "available", "true or false", parse_available);
      out.hosts.push_back(std::move(host));
    }
  }
  if (top.has("shares")) {
    const std::vector<ConfigView> entries = top.get_table_array("shares", "an array of tables ([[dynamics.shares]])");
    for (std::size_t i = 0; i < entries.size(); ++i) {
      ShareDynamics share;
      share.path = fmt::format("dynamics.shares.{}", i);
      const ConfigView& view = entries[i];
      view.require_only({"tenant", "host", "share"});
      share.tenant = view.get_string("tenant");
      share.host = view.get_string("host", "");
      share.share = parse_profile<double>(view, "share", "a CPU share in (0, 1]", parse_share);
      out.shares.push_back(std::move(share));
    }
  }
  return out;
}

} // namespace edgesim
