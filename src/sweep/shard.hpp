#pragma once
// `--shard I/N` (docs/architecture.md "Process model"): a share of a sweep for one job of a batch system. Shard I
// of N holds the points whose index is congruent to I modulo N, so N shards cover every
// point exactly once, whichever shard runs first, and `edgesim merge` can join them.
#include <cstddef>
#include <string>
#include <string_view>

namespace edgesim::sweep {

struct Shard {
  std::size_t index = 0; // I, 0-based
  std::size_t count = 1; // N

  /// Parses "I/N" with 0 <= I < N; throws InputError naming `option` otherwise.
  static Shard parse(std::string_view text, std::string_view option = "--shard");

  [[nodiscard]] bool contains(std::size_t point) const { return point % count == index; }
  /// Number of points of 0..total-1 this shard holds.
  [[nodiscard]] std::size_t size_of(std::size_t total) const { return total / count + (total % count > index ? 1 : 0); }
  [[nodiscard]] bool whole() const { return count == 1; }
  [[nodiscard]] std::string text() const;
};

} // namespace edgesim::sweep
