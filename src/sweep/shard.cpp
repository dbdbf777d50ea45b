#include "sweep/shard.hpp"

#include <edgesim/error.hpp>

#include <fmt/format.h>

#include <charconv>

namespace edgesim::sweep {
namespace {

bool parse_count(std::string_view text, std::size_t& value) {
  if (text.empty())
    return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc{} && end == text.data() + text.size();
}

} // namespace

Shard Shard::parse(std::string_view text, std::string_view option) {
  const auto slash = text.find('/');
  Shard shard;
  if (slash == std::string_view::npos || !parse_count(text.substr(0, slash), shard.index) ||
      !parse_count(text.substr(slash + 1), shard.count))
    throw InputError(fmt::format("{} {}: expected I/N, two whole numbers with 0 <= I < N (e.g. 0/4)", option, text));
  if (shard.count == 0 || shard.index >= shard.count)
    throw InputError(fmt::format("{} {}: expected 0 <= I < N (shards are numbered from 0), got I = {} and N = {}",
                                 option, text, shard.index, shard.count));
  return shard;
}

std::string Shard::text() const {
  return fmt::format("{}/{}", index, count);
}

} // namespace edgesim::sweep
