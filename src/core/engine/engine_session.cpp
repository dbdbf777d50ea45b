#include "core/engine/engine_session.hpp"

#include <simgrid/plugins/energy.h>
#include <simgrid/s4u.hpp>
#include <xbt/log.h>

namespace sg4 = simgrid::s4u;

namespace edgesim {
namespace {

std::vector<std::string> engine_args(const EngineOptions& options) {
  std::vector<std::string> args{"edgesim"};
  args.insert(args.end(), options.simgrid_args.begin(), options.simgrid_args.end());
  return args;
}

} // namespace

EngineSession::EngineSession(const PlatformInfo& platform, const std::string& network_model,
                             const EngineOptions& options)
    : args_(engine_args(options)) {
  argv_.reserve(args_.size() + 1);
  for (auto& a : args_)
    argv_.push_back(a.data());
  argv_.push_back(nullptr);
  int argc = static_cast<int>(args_.size());
  // SimGrid's INFO lines (energy totals, config changes) would drown the summary;
  // --log=... on the command line still overrides this.
  xbt_log_control_set("root.thresh:warning");
  // The energy plugin warns about every host without wattage_per_state, once per
  // lookup; `edgesim run` says it once, in its own words, unless asked to be quiet.
  xbt_log_control_set("host_energy.thresh:error");
  engine_ = std::make_unique<sg4::Engine>(&argc, argv_.data());
  if (options.engine_created)
    options.engine_created();
  sg_host_energy_plugin_init();
  // The link plugins hook every transfer (and look its route up each time): load them
  // only when the platform declares what they measure.
  if (platform.xml_text.find("wattage_range") != std::string::npos)
    sg_link_energy_plugin_init();
  wifi_metered_ = platform.xml_text.find("wifi_watt_values") != std::string::npos;
  engine_->set_config("network/model:" + network_model);
  engine_->set_config("network/crosstraffic:0");
  engine_->load_platform(platform.file);
}

} // namespace edgesim
