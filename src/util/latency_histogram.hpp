#pragma once
// Fixed-memory latency distribution: log-spaced bins (1 µs .. 1e5 s, 0.23 % wide), so
// percentiles of any number of requests cost constant memory. Quantiles interpolate
// geometrically inside a bin; the mean is kept exactly.
#include <cmath>
#include <cstdint>
#include <vector>

namespace edgesim {

class LatencyHistogram {
public:
  static constexpr double kMin = 1e-6;
  static constexpr int kDecades = 11;
  static constexpr int kBinsPerDecade = 1000;

  LatencyHistogram() : bins_(static_cast<std::size_t>(kDecades * kBinsPerDecade) + 2, 0) {}

  void add(double seconds) {
    ++count_;
    sum_ += seconds;
    bins_[bin_of(seconds)]++;
  }
  [[nodiscard]] std::uint64_t count() const { return count_; }
  [[nodiscard]] double mean() const { return count_ > 0 ? sum_ / static_cast<double>(count_) : NAN; }
  [[nodiscard]] double quantile(double q) const {
    if (count_ == 0)
      return NAN;
    const double target = q * static_cast<double>(count_);
    double seen = 0;
    for (std::size_t b = 0; b < bins_.size(); ++b) {
      if (bins_[b] == 0)
        continue;
      if (seen + static_cast<double>(bins_[b]) >= target) {
        const double within = (target - seen) / static_cast<double>(bins_[b]);
        return lower_edge(b) * std::pow(10.0, within / kBinsPerDecade);
      }
      seen += static_cast<double>(bins_[b]);
    }
    return lower_edge(bins_.size() - 1);
  }
  void merge(const LatencyHistogram& other) {
    for (std::size_t b = 0; b < bins_.size(); ++b)
      bins_[b] += other.bins_[b];
    count_ += other.count_;
    sum_ += other.sum_;
  }

private:
  [[nodiscard]] std::size_t bin_of(double seconds) const {
    if (!(seconds > kMin))
      return 0;
    const double position = std::log10(seconds / kMin) * kBinsPerDecade;
    const auto bin = static_cast<std::size_t>(position) + 1;
    return std::min(bin, bins_.size() - 1);
  }
  [[nodiscard]] static double lower_edge(std::size_t bin) {
    return bin == 0 ? 0.0 : kMin * std::pow(10.0, static_cast<double>(bin - 1) / kBinsPerDecade);
  }

  std::vector<std::uint64_t> bins_;
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

} // namespace edgesim
