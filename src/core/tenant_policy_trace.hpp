#pragma once
// A tenant's policy trace: what a policy records through TracedPolicy::trace() becomes
// /policy rows (time, tenant, the policy's registered name, value name, value).
#include "core/trace_sink.hpp"

#include <edgesim/policy_trace.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace edgesim {

class TenantPolicyTrace final : public PolicyTrace {
public:
  TenantPolicyTrace(TraceSink& sink, std::uint16_t tenant, std::string policy)
      : sink_(&sink), tenant_(tenant), policy_(std::move(policy)) {}

  void record(double time, std::initializer_list<PolicyValue> values) override {
    for (const PolicyValue& v : values)
      sink_->on_policy(
          PolicyRecord{.time = time, .tenant = tenant_, .policy = policy_, .name = v.name, .value = v.value});
  }

private:
  TraceSink* sink_;
  std::uint16_t tenant_;
  std::string policy_;
};

} // namespace edgesim
