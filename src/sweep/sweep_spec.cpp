#include "sweep/sweep_spec.hpp"

#include "util/fnv1a.hpp"

#include <edgesim/error.hpp>
#include <edgesim/random.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>
#include <set>

namespace edgesim::sweep {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

/// The number `text` spells entirely (TOML-style: digits, sign, '.', exponent, '_' not allowed).
bool parse_number(std::string_view text, double& value) {
  if (text.empty())
    return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc{} && end == text.data() + text.size() && std::isfinite(value);
}

bool is_integer_text(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && error == std::errc{} && end == text.data() + text.size();
}

/// Splits at commas outside brackets, braces and quotes.
std::vector<std::string> split_top_level(std::string_view text) {
  std::vector<std::string> parts;
  int depth = 0;
  char quote = 0;
  std::size_t begin = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const char c = i < text.size() ? text[i] : ',';
    if (quote != 0) {
      if (c == quote)
        quote = 0;
      continue;
    }
    if (c == '"' || c == '\'')
      quote = c;
    else if (c == '[' || c == '{')
      ++depth;
    else if (c == ']' || c == '}')
      --depth;
    else if (c == ',' && depth <= 0) {
      parts.emplace_back(trim(text.substr(begin, i - begin)));
      begin = i + 1;
    }
  }
  return parts;
}

/// TOML text of a float, always with a '.' or an exponent so TOML reads a float.
std::string float_text(double value, int digits) {
  std::string text = fmt::format("{:.{}g}", value, digits);
  if (text.find_first_of(".en") == std::string::npos)
    text += ".0";
  return text;
}

} // namespace

VaryAxis parse_vary(std::string_view text) {
  const auto fail = [&](std::string_view expected) {
    return InputError(fmt::format("--vary {}: expected {}", text, expected));
  };
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || trim(text.substr(0, eq)).empty())
    throw fail("KEY=V1,V2,... or KEY=START:STOP[:STEP]");
  VaryAxis axis;
  axis.key = std::string(trim(text.substr(0, eq)));
  axis.spec = std::string(trim(text.substr(eq + 1)));
  if (axis.spec.empty())
    throw fail("at least one value after '='");

  // A range: two or three numbers separated by ':'.
  std::vector<std::string_view> fields;
  for (std::size_t begin = 0;;) {
    const auto colon = axis.spec.find(':', begin);
    fields.push_back(trim(std::string_view(axis.spec).substr(begin, colon - begin)));
    if (colon == std::string::npos)
      break;
    begin = colon + 1;
  }
  if (fields.size() == 2 || fields.size() == 3) {
    std::vector<double> numbers(fields.size());
    for (std::size_t i = 0; i < fields.size(); ++i)
      if (!parse_number(fields[i], numbers[i]))
        throw fail("START:STOP[:STEP] with numbers");
    const bool integers = std::all_of(fields.begin(), fields.end(), is_integer_text);
    axis.numeric = true;
    axis.start = numbers[0];
    axis.stop = numbers[1];
    if (fields.size() == 2) {
      if (!(axis.stop > axis.start))
        throw fail("START < STOP");
      axis.continuous = true;
      axis.integer = integers;
      // As a grid, a range without a step is its two ends.
      for (const double v : {axis.start, axis.stop})
        axis.values.push_back(integers ? fmt::format("{}", static_cast<std::int64_t>(v)) : float_text(v, 15));
      return axis;
    }
    const double step = numbers[2];
    if (step == 0 || (axis.stop - axis.start) / step < 0)
      throw fail("a STEP that goes from START towards STOP");
    const double count = std::floor((axis.stop - axis.start) / step + 1e-9) + 1;
    if (count > 1e6)
      throw fail("at most a million values");
    for (std::int64_t k = 0; k < static_cast<std::int64_t>(count); ++k) {
      // START + k*STEP (no accumulated rounding), printed to 12 significant digits so
      // 0.1 steps give 0.3, not 0.30000000000000004.
      const double v = axis.start + static_cast<double>(k) * step;
      axis.values.push_back(integers ? fmt::format("{}", static_cast<std::int64_t>(std::llround(v)))
                                     : float_text(v, 12));
    }
    return axis;
  }
  if (fields.size() > 3)
    throw fail("START:STOP[:STEP]");

  axis.values = split_top_level(axis.spec);
  if (std::any_of(axis.values.begin(), axis.values.end(), [](const std::string& v) { return v.empty(); }))
    throw fail("comma-separated values, none empty");
  axis.numeric = std::all_of(axis.values.begin(), axis.values.end(), [](const std::string& v) {
    double ignored = 0;
    return parse_number(v, ignored);
  });
  return axis;
}

std::string_view design_name(Design design) {
  return design == Design::Grid ? "grid" : "lhs";
}

Design parse_design(std::string_view text) {
  if (text == "grid")
    return Design::Grid;
  if (text == "lhs")
    return Design::Lhs;
  throw InputError(fmt::format("--design {}: expected grid or lhs", text));
}

std::string_view streams_name(Streams streams) {
  return streams == Streams::Independent ? "independent" : "common";
}

Streams parse_streams(std::string_view text) {
  if (text == "independent")
    return Streams::Independent;
  if (text == "common")
    return Streams::Common;
  throw InputError(fmt::format("--streams {}: expected independent (every point its own random numbers) or common "
                               "(common random numbers: replication r of every point shares one seed)",
                               text));
}

void SweepSpec::check() const {
  if (axes.empty())
    throw InputError("sweep: expected at least one --vary KEY=VALUES");
  std::set<std::string> keys;
  for (const auto& axis : axes)
    if (!keys.insert(axis.key).second)
      throw InputError(fmt::format("--vary {}: the key is varied twice", axis.key));
  if (design == Design::Lhs && lhs_points == 0)
    throw InputError("--design lhs: expected --points N with N >= 1");
  if (design == Design::Grid && lhs_points != 0)
    throw InputError("--points: only with --design lhs (a grid has one point per combination)");
  if (reps == 0 || reps > 1'000'000)
    throw InputError(fmt::format("--reps: expected 1 to 1000000 replications, got {}", reps));
  if (design == Design::Lhs && lhs_points > 100'000'000)
    throw InputError(fmt::format("--points: expected at most 10^8 points, got {}", lhs_points));
  if (point_count() > 100'000'000)
    throw InputError(fmt::format("sweep: {} points is more than the 10^8 a sweep may have", point_count()));
}

std::size_t SweepSpec::point_count() const {
  if (design == Design::Lhs)
    return lhs_points;
  double total = 1;
  for (const auto& axis : axes)
    total *= static_cast<double>(axis.values.size());
  return total > 1e9 ? static_cast<std::size_t>(1e9) : static_cast<std::size_t>(total);
}

std::vector<std::vector<std::string>> SweepSpec::point_values() const {
  const std::size_t n = point_count();
  std::vector<std::vector<std::string>> points(n, std::vector<std::string>(axes.size()));
  if (design == Design::Grid) {
    for (std::size_t p = 0; p < n; ++p) {
      std::size_t rest = p;
      for (std::size_t a = axes.size(); a-- > 0;) { // the last axis varies fastest
        points[p][a] = axes[a].values[rest % axes[a].values.size()];
        rest /= axes[a].values.size();
      }
    }
    return points;
  }
  for (std::size_t a = 0; a < axes.size(); ++a) {
    const VaryAxis& axis = axes[a];
    Rng rng(stream_seed(seed, "sweep-lhs", a));
    std::vector<std::size_t> strata(n);
    std::iota(strata.begin(), strata.end(), 0);
    for (std::size_t i = n; i > 1; --i) // Fisher-Yates with Rng: identical on every platform
      std::swap(strata[i - 1], strata[rng.below(i)]);
    for (std::size_t p = 0; p < n; ++p) {
      const double u = (static_cast<double>(strata[p]) + rng.uniform()) / static_cast<double>(n);
      if (axis.continuous && axis.integer) {
        const double span = axis.stop - axis.start + 1;
        points[p][a] =
            fmt::format("{}", static_cast<std::int64_t>(axis.start + std::min(std::floor(u * span), span - 1)));
      } else if (axis.continuous) {
        points[p][a] = float_text(axis.start + u * (axis.stop - axis.start), 17);
      } else {
        const auto k =
            std::min(axis.values.size() - 1, static_cast<std::size_t>(u * static_cast<double>(axis.values.size())));
        points[p][a] = axis.values[k];
      }
    }
  }
  return points;
}

std::uint64_t SweepSpec::seed_of(std::size_t point, std::size_t rep) const {
  // 52 bits: a non-negative TOML integer, exact as a double in JSON and numpy.
  const std::size_t stream_point = streams == Streams::Common ? 0 : point;
  return stream_seed(stream_seed(seed, "sweep-point", stream_point), "replication", rep) >> 12U;
}

std::string SweepSpec::identity_text() const {
  std::string text = "edgesim sweep 1\n";
  text += fmt::format("scenario {} bytes, fnv {:016x}\n", scenario_text.size(), fnv1a(scenario_text));
  for (const auto& o : overrides)
    text += "set " + o + "\n";
  for (const auto& e : engine_args)
    text += "engine " + e + "\n";
  for (const auto& axis : axes)
    text += "vary " + axis.key + "=" + axis.spec + "\n";
  text += fmt::format("design {} points {}\nreps {}\nseed {}\n", design_name(design), point_count(), reps, seed);
  if (streams != Streams::Independent) // so that the ids of independent-stream sweeps stay as they were
    text += fmt::format("streams {}\n", streams_name(streams));
  return text;
}

std::string SweepSpec::id() const {
  return fmt::format("{:016x}", fnv1a(identity_text()));
}

} // namespace edgesim::sweep
