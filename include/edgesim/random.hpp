#pragma once
// Deterministic random streams. Every consumer (a tenant's arrivals, its work factors,
// its exit behaviour, a policy) gets its own generator seeded from the scenario seed and
// a stream label, so adding a tenant or a policy draw never shifts another stream.
#include <cmath>
#include <cstdint>
#include <random>
#include <string_view>

namespace edgesim {

constexpr std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30U)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27U)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31U);
}

constexpr std::uint64_t stream_seed(std::uint64_t seed, std::string_view label, std::uint64_t index = 0) {
  std::uint64_t h = 1469598103934665603ULL; // FNV-1a over the label
  for (char c : label)
    h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return splitmix64(splitmix64(seed) ^ h ^ splitmix64(index + 0x51ed27ULL));
}

class Rng {
public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}
  /// Uniform in (0, 1): never 0, so log() is safe.
  double uniform() { return (static_cast<double>(engine_() >> 11U) + 0.5) * (1.0 / 9007199254740992.0); }
  double exponential(double rate) { return -std::log(uniform()) / rate; }
  double normal() {
    // Box-Muller with a cached second value: identical across standard libraries.
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u1 = uniform();
    double u2 = uniform();
    double r = std::sqrt(-2.0 * std::log(u1));
    spare_ = r * std::sin(2.0 * M_PI * u2);
    has_spare_ = true;
    return r * std::cos(2.0 * M_PI * u2);
  }
  std::uint64_t below(std::uint64_t n) { return static_cast<std::uint64_t>(uniform() * static_cast<double>(n)) % n; }
  std::mt19937_64& engine() { return engine_; }

private:
  std::mt19937_64 engine_;
  double spare_ = 0;
  bool has_spare_ = false;
};

} // namespace edgesim
