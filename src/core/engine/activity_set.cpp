#include "core/engine/activity_set.hpp"

#include <simgrid/s4u.hpp>

#include <cmath>

namespace sg4 = simgrid::s4u;

namespace edgesim {

void ActivitySet::add(sg4::ActivityPtr activity, const ActivityTag& tag) {
  activities_.emplace_back(std::move(activity));
  tags_.push_back(tag);
}

ActivityTag ActivitySet::remove(std::size_t index) {
  const ActivityTag tag = tags_[index];
  activities_[index] = std::move(activities_.back());
  activities_.pop_back();
  tags_[index] = tags_.back();
  tags_.pop_back();
  return tag;
}

long ActivitySet::wait(double timeout) {
  if (activities_.empty()) {
    if (timeout > 0)
      sg4::this_actor::sleep_for(timeout);
    return -1;
  }
  if (std::isfinite(timeout))
    return sg4::Activity::wait_any_for(activities_, std::max(0.0, timeout));
  return sg4::Activity::wait_any(activities_);
}

} // namespace edgesim
