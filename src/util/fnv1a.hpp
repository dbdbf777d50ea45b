#pragma once
// FNV-1a, 64 bits: the stable text hash of job identities (sweep ids, dataset and
// validation journals). Stable across builds and machines, unlike std::hash.
#include <cstdint>
#include <string_view>

namespace edgesim {

[[nodiscard]] constexpr std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 1469598103934665603ULL;
  for (const char c : text)
    hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return hash;
}

} // namespace edgesim
