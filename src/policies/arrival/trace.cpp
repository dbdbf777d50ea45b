// `trace`: arrival times read from a CSV file (first column, seconds, non-decreasing),
// at configuration time so that a bad file is an input error before any run.
#include <edgesim/error.hpp>
#include <edgesim/policy.hpp>

#include "config/paths.hpp"
#include "policies/builtin.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <memory>
#include <vector>

namespace edgesim {
namespace {

using Times = std::vector<double>;

std::shared_ptr<const Times> load_arrival_trace(const std::string& file, const std::string& where) {
  std::ifstream in;
  if (is_readable_regular_file(file))
    in.open(file);
  if (!in.is_open())
    throw InputError(fmt::format("{}: cannot open arrival trace {}", where, file));
  auto times = std::make_shared<Times>();
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    // Blank lines, comments and a header row (a first line starting with a letter).
    if (line.empty() || line.front() == '#' || (line_no == 1 && std::isalpha(static_cast<unsigned char>(line.front()))))
      continue;
    const std::string first = line.substr(0, line.find(','));
    char* end = nullptr;
    const double t = std::strtod(first.c_str(), &end);
    if (end == first.c_str() || !std::isfinite(t) || t < 0)
      throw InputError(
          fmt::format("{}:{}: expected an arrival time in seconds (>= 0), found \"{}\"", file, line_no, first));
    if (!times->empty() && t < times->back())
      throw InputError(fmt::format("{}:{}: arrival times must be non-decreasing", file, line_no));
    times->push_back(t);
  }
  if (times->empty())
    throw InputError(fmt::format("{}: arrival trace has no rows", file));
  return times;
}

class TraceStream final : public ArrivalStream {
public:
  explicit TraceStream(std::shared_ptr<const Times> times) : times_(std::move(times)) {}
  double next(Rng& /*rng*/) override {
    if (index_ >= times_->size())
      return std::numeric_limits<double>::infinity();
    return (*times_)[index_++];
  }

private:
  std::shared_ptr<const Times> times_; // shared with the process: a stream may outlive it
  std::size_t index_ = 0;
};

class TraceProcess final : public ArrivalProcess {
public:
  explicit TraceProcess(std::shared_ptr<const Times> times) : times_(std::move(times)) {}
  [[nodiscard]] std::unique_ptr<ArrivalStream> start(Rng& /*rng*/) const override {
    return std::make_unique<TraceStream>(times_);
  }
  /// Rows between the first and the last arrival over their span; 0 for fewer than two
  /// distinct times.
  [[nodiscard]] double mean_rate() const override {
    const Times& t = *times_;
    if (t.size() < 2 || t.back() <= t.front())
      return 0;
    return static_cast<double>(t.size() - 1) / (t.back() - t.front());
  }
  [[nodiscard]] double expected_arrivals(double t) const override {
    return static_cast<double>(std::upper_bound(times_->begin(), times_->end(), t) - times_->begin());
  }

private:
  std::shared_ptr<const Times> times_;
};

} // namespace

void register_arrival_trace(Registry& registry) {
  registry.add_arrival_process(
      "trace", "arrival times from a CSV file: file",
      [](const ArrivalProcessArgs& args) -> std::unique_ptr<ArrivalProcess> {
        args.config.require_only({"process", "file"});
        const std::string file = resolve_input_path(args.config.get_string("file"), args.base_dir);
        return std::make_unique<TraceProcess>(load_arrival_trace(file, args.config.where("file")));
      });
}

} // namespace edgesim
