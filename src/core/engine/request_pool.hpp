#pragma once
// The requests in flight (docs/architecture.md, "The request's path"): a pool of slots
// reused as requests finish, so the engine's memory is bounded by what is in flight, not
// by how many requests a run simulates. Slots are indices: the pool may grow (and move)
// while a caller holds one, so code keeps the index, not a reference, across calls that
// may allocate.
#include <cstdint>
#include <limits>
#include <vector>

namespace edgesim {

constexpr std::uint32_t kNoParent = std::numeric_limits<std::uint32_t>::max();

/// One request, or one branch of a semantically split request, on its way.
struct Request {
  std::uint64_t id = 0;
  std::uint16_t tenant = 0;
  std::uint16_t fragment = 0;
  std::uint16_t segment = 0;
  std::uint32_t placement = 0; // version of the tenant's placement it runs on
  bool measured = false;       // arrived after the warm-up
  double arrival = 0;
  double work_factor = 1;
  double difficulty = 0;
  std::uint64_t sample = 0;
  double flops_done = 0;
  double energy_done = 0;          // dynamic energy of the request's execs, J
  double segment_start = 0;        // when its running exec started
  std::uint16_t pending_execs = 0; // execs of the current segment still running
  // Semantic splits: a request forks into one branch request per branch, which runs its
  // fragment like any request and then reports to its parent on the merge host.
  std::uint32_t parent = kNoParent;   // set on a branch: the request it belongs to
  std::uint16_t pending_branches = 0; // on a split request: branches not yet back
  bool failed = false;                // on a split request: already recorded as lost
};

class RequestPool {
public:
  /// A fresh (default) request's slot: the most recently released one, or a new one.
  std::uint32_t allocate() {
    std::uint32_t slot = 0;
    if (free_.empty()) {
      slot = static_cast<std::uint32_t>(slots_.size());
      slots_.emplace_back();
    } else {
      slot = free_.back();
      free_.pop_back();
    }
    slots_[slot] = Request{};
    return slot;
  }
  void release(std::uint32_t slot) { free_.push_back(slot); }

  [[nodiscard]] Request& operator[](std::uint32_t slot) { return slots_[slot]; }
  [[nodiscard]] const Request& operator[](std::uint32_t slot) const { return slots_[slot]; }
  /// Slots ever allocated: the peak number of requests in flight at once.
  [[nodiscard]] std::size_t capacity() const { return slots_.size(); }
  [[nodiscard]] std::size_t in_flight() const { return slots_.size() - free_.size(); }

private:
  std::vector<Request> slots_;
  std::vector<std::uint32_t> free_;
};

} // namespace edgesim
