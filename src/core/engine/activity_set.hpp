#pragma once
// The SimGrid activities in flight (execs and comms), each tagged with what it is for,
// so the single controller actor waits on all of them at once (docs/architecture.md: no actor per
// request) and knows what finished.
#include <simgrid/s4u/Activity.hpp>

#include <cstdint>
#include <vector>

namespace edgesim {

struct ActivityTag {
  // BranchOutput: a branch's output travelling to the merge host; Merge: the merge exec.
  enum class Kind : std::uint8_t { Exec, Comm, BranchOutput, Merge } kind = Kind::Exec;
  std::uint32_t request = 0;
  int host = 0;             // exec host, or comm source
  int peer = -1;            // comm destination
  int threads = 0;          // exec thread count
  double bytes = 0;         // comm size
  double transmit_from = 0; // comm crossing a WiFi cell: when it begins to transmit (core/wifi_meter)

  [[nodiscard]] bool is_exec() const { return kind == Kind::Exec || kind == Kind::Merge; }
  [[nodiscard]] bool is_transfer() const { return kind == Kind::Comm || kind == Kind::BranchOutput; }
  [[nodiscard]] bool touches(int h) const { return host == h || peer == h; }
};

class ActivitySet {
public:
  void add(simgrid::s4u::ActivityPtr activity, const ActivityTag& tag);
  /// Removes the activity at `index` (the last one takes its place) and returns its tag.
  ActivityTag remove(std::size_t index);

  /// Waits for the next activity to finish, at most `timeout` seconds (infinity: no
  /// limit); its index, or -1 when the timeout came first. Sleeps when there is none.
  [[nodiscard]] long wait(double timeout);

  [[nodiscard]] bool empty() const { return activities_.empty(); }
  [[nodiscard]] std::size_t size() const { return activities_.size(); }
  [[nodiscard]] const ActivityTag& tag(std::size_t index) const { return tags_[index]; }
  [[nodiscard]] simgrid::s4u::Activity& activity(std::size_t index) { return *activities_[index]; }
  /// The tag of the activity added last (to retag a transfer just started).
  [[nodiscard]] ActivityTag& last_tag() { return tags_.back(); }

private:
  std::vector<simgrid::s4u::ActivityPtr> activities_;
  std::vector<ActivityTag> tags_; // tags_[i] describes activities_[i]
};

} // namespace edgesim
