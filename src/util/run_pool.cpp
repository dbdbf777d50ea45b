#include "util/run_pool.hpp"

#include "util/child_process.hpp"
#include "util/forked_run_pool.hpp"

#include <algorithm>

namespace edgesim {

RunPool::RunPool(unsigned jobs) : jobs_(std::max(1U, jobs)) {}

void RunPool::submit(std::size_t tag, ChildSpec spec) {
  if (running() < jobs_)
    start(tag, std::move(spec));
  else
    queue_.emplace_back(tag, std::move(spec));
}

std::vector<std::size_t> RunPool::clear_queue() {
  std::vector<std::size_t> tags;
  tags.reserve(queue_.size());
  for (const auto& [tag, spec] : queue_)
    tags.push_back(tag);
  queue_.clear();
  return tags;
}

void RunPool::start_queued() {
  while (running() < jobs_ && !queue_.empty()) {
    auto [tag, spec] = std::move(queue_.front());
    queue_.pop_front();
    start(tag, std::move(spec));
  }
}

void RunPool::interrupted() const {
  if (interrupt_handler_)
    interrupt_handler_();
}

std::unique_ptr<RunPool> make_run_pool(unsigned jobs, const RunEntry& entry) {
  if (entry)
    return std::make_unique<ForkedRunPool>(jobs, entry);
  return std::make_unique<ChildPool>(jobs);
}

} // namespace edgesim
