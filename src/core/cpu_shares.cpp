#include "core/cpu_shares.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>

namespace edgesim {

constexpr double kInf = std::numeric_limits<double>::infinity();

double share_left_for(std::size_t j, std::span<const double> weights, std::span<const double> demands) {
  // Water-filling: every round, tenants asking for no more than their weighted part of
  // what is left get what they ask and drop out; the rest split what remains by weight.
  std::vector<bool> active(weights.size(), false);
  for (std::size_t k = 0; k < weights.size(); ++k)
    active[k] = k == j || demands[k] > 0;
  double remaining = 1.0;
  bool settled = false;
  while (!settled) {
    double weight = 0;
    for (std::size_t k = 0; k < weights.size(); ++k)
      weight += active[k] ? weights[k] : 0.0;
    settled = true;
    double granted = 0;
    for (std::size_t k = 0; k < weights.size(); ++k) {
      if (!active[k] || k == j)
        continue;
      if (demands[k] <= remaining * weights[k] / weight) {
        granted += demands[k];
        active[k] = false;
        settled = false;
      }
    }
    remaining = std::max(0.0, remaining - granted);
    if (settled)
      return std::min(1.0, remaining * weights[j] / weight);
  }
  return 1.0;
}

CpuShares::CpuShares(MultitenantPolicy policy, std::span<const double> base, std::size_t hosts,
                     std::vector<ShareStep> steps, double epoch, double tolerance)
    : policy_(policy), tenants_(base.size()), hosts_(hosts), steps_(std::move(steps)), epoch_(epoch),
      tolerance_(tolerance), entitled_(hosts * base.size()), effective_(hosts * base.size(), 1.0),
      present_(hosts * base.size(), false), epoch_work_(hosts * base.size(), 0.0), demand_(hosts * base.size(), kInf) {
  std::stable_sort(steps_.begin(), steps_.end(), [](const ShareStep& a, const ShareStep& b) { return a.at < b.at; });
  for (std::size_t h = 0; h < hosts; ++h)
    for (std::size_t t = 0; t < tenants_; ++t)
      entitled_[index(t, static_cast<int>(h))] = base[t];
  if (policy == MultitenantPolicy::Cooperative)
    next_epoch_ = epoch;
}

void CpuShares::set_placement(std::size_t tenant, std::span<const int> hosts) {
  for (std::size_t h = 0; h < hosts_; ++h) {
    const bool on = std::ranges::find(hosts, static_cast<int>(h)) != hosts.end();
    const std::size_t i = index(tenant, static_cast<int>(h));
    if (on && !present_[i])
      demand_[i] = kInf; // new on the host: busy until measured
    present_[i] = on;
  }
}

void CpuShares::add_work(std::size_t tenant, int host, double host_seconds) {
  epoch_work_[index(tenant, host)] += host_seconds;
}

double CpuShares::next_time() const {
  if (next_step_ == steps_.size())
    return next_epoch_;
  return std::min(steps_[next_step_].at, next_epoch_);
}

double CpuShares::compute_effective(std::size_t tenant, int host) const {
  switch (policy_) {
  case MultitenantPolicy::None:
    return 1.0;
  case MultitenantPolicy::NonCooperative:
    return entitled(tenant, host);
  case MultitenantPolicy::Cooperative:
    break;
  }
  const std::size_t first = index(0, host);
  std::vector<double> demands(tenants_, 0.0); // a tenant not placed on the host asks for nothing
  for (std::size_t k = 0; k < tenants_; ++k)
    if (present_[first + k])
      demands[k] = demand_[first + k];
  return share_left_for(tenant, std::span<const double>(entitled_.data() + first, tenants_), demands);
}

std::vector<ShareUpdate> CpuShares::advance(double now) {
  const double tolerance = 1e-12 * std::max(1.0, now);
  std::vector<bool> stepped(entitled_.size(), false);
  for (; next_step_ < steps_.size() && steps_[next_step_].at <= now + tolerance; ++next_step_) {
    const ShareStep& step = steps_[next_step_];
    for (std::size_t h = 0; h < hosts_; ++h) {
      if (step.host >= 0 && static_cast<std::size_t>(step.host) != h)
        continue;
      const std::size_t i = index(step.tenant, static_cast<int>(h));
      if (entitled_[i] != step.share) {
        entitled_[i] = step.share;
        stepped[i] = true;
      }
    }
  }
  if (next_epoch_ <= now + tolerance) {
    // Work started over the epoch, per second of it: the load each tenant put on the host.
    const double length = now - epoch_start_;
    for (std::size_t i = 0; i < demand_.size(); ++i) {
      demand_[i] = length > 0 ? epoch_work_[i] / length : 0.0;
      epoch_work_[i] = 0;
    }
    epoch_start_ = now;
    next_epoch_ = now + epoch_;
  }
  std::vector<ShareUpdate> updates;
  for (std::size_t h = 0; h < hosts_; ++h) {
    for (std::size_t t = 0; t < tenants_; ++t) {
      const int host = static_cast<int>(h);
      const std::size_t i = index(t, host);
      if (!present_[i] && !stepped[i])
        continue;
      const double share = present_[i] ? compute_effective(t, host) : entitled_[i];
      const bool notify =
          present_[i] && (stepped[i] ? share != effective_[i] : std::abs(share - effective_[i]) > tolerance_);
      if (notify || stepped[i]) {
        updates.push_back(ShareUpdate{t, host, share, effective_[i], stepped[i], notify});
        if (notify)
          effective_[i] = share;
      }
    }
  }
  return updates;
}

std::vector<ShareStep> share_steps(const Scenario& scenario, std::span<const std::string> host_names) {
  auto tenant_index = [&](const std::string& name) {
    for (std::size_t t = 0; t < scenario.tenants.size(); ++t)
      if (scenario.tenants[t].name == name)
        return t;
    return scenario.tenants.size(); // checked by the scenario loader
  };
  auto host_index = [&](const std::string& name) {
    for (std::size_t h = 0; h < host_names.size(); ++h)
      if (host_names[h] == name)
        return static_cast<int>(h);
    return -1;
  };
  // A profile for one host takes precedence over the tenant's every-host profile there.
  std::set<std::pair<std::size_t, int>> specific;
  for (const ShareDynamics& entry : scenario.dynamics.shares)
    if (!entry.host.empty())
      specific.emplace(tenant_index(entry.tenant), host_index(entry.host));
  std::vector<ShareStep> steps;
  for (const ShareDynamics& entry : scenario.dynamics.shares) {
    const std::size_t tenant = tenant_index(entry.tenant);
    std::vector<int> hosts;
    if (!entry.host.empty())
      hosts.push_back(host_index(entry.host));
    else
      for (std::size_t h = 0; h < host_names.size(); ++h)
        if (!specific.contains({tenant, static_cast<int>(h)}))
          hosts.push_back(static_cast<int>(h));
    for (const auto& step : entry.share)
      for (int host : hosts)
        steps.push_back(ShareStep{step.at, tenant, host, step.value});
  }
  std::stable_sort(steps.begin(), steps.end(), [](const ShareStep& a, const ShareStep& b) { return a.at < b.at; });
  return steps;
}

} // namespace edgesim
