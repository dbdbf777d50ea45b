#include "scenario/overrides.hpp"

#include "config/toml_text.hpp"

#include <edgesim/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <string>
#include <vector>

namespace edgesim {
namespace {

std::vector<std::string> split_path(std::string_view key) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    auto dot = key.find('.', start);
    parts.emplace_back(key.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos)
      break;
    start = dot + 1;
  }
  return parts;
}

std::optional<std::size_t> as_index(std::string_view part) {
  std::size_t index = 0;
  auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), index);
  if (ec != std::errc{} || ptr != part.data() + part.size())
    return std::nullopt;
  return index;
}

// Parses VALUE as a TOML value held in a one-key table; text that is not valid TOML
// becomes a string, so `--set exits.policy=ucb` (or `=Straße`) works without quoting.
toml::table parse_value(std::string_view value) {
  try {
    return parse_toml_text(fmt::format("v = {}", value), "--set");
  } catch (const InputError&) {
    toml::table holder;
    holder.insert("v", std::string(value));
    return holder;
  }
}

// Removes KEY (a dotted path; a numeric last part removes that array element). A key
// that is not there is an error: a misspelt --unset must not pass silently.
void apply_unset(toml::table& root, std::string_view key) {
  const auto parts = split_path(key);
  toml::node* current = &root;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& part = parts[i];
    const bool last = i + 1 == parts.size();
    if (auto* table = current->as_table()) {
      if (!table->contains(part))
        break;
      if (last) {
        table->erase(part);
        return;
      }
      current = table->get(part);
    } else if (auto* array = current->as_array()) {
      auto index = as_index(part);
      if (!index || *index >= array->size())
        break;
      if (last) {
        array->erase(array->begin() + static_cast<std::ptrdiff_t>(*index));
        return;
      }
      current = array->get(*index);
    } else {
      break;
    }
  }
  throw InputError(fmt::format("--unset {}: the scenario has no key {}", key, key));
}

} // namespace

void apply_override(toml::table& root, std::string_view assignment) {
  if (assignment.starts_with(kUnsetMarker)) {
    const std::string_view key = assignment.substr(kUnsetMarker.size());
    if (key.empty() || std::ranges::any_of(split_path(key), [](const std::string& part) { return part.empty(); }))
      throw InputError(fmt::format("--unset {}: expected a key path such as placement.fragments", key));
    apply_unset(root, key);
    return;
  }
  auto eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0)
    throw InputError(fmt::format("--set {}: expected KEY=VALUE", assignment));
  std::string_view key = assignment.substr(0, eq);
  auto parts = split_path(key);
  for (const auto& part : parts)
    if (part.empty())
      throw InputError(fmt::format("--set {}: empty component in key path", key));

  toml::node* current = &root;
  std::string walked;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    const auto& part = parts[i];
    const std::string parent = walked; // the path of `current`
    walked += (walked.empty() ? "" : ".") + part;
    if (auto* table = current->as_table()) {
      if (!table->contains(part))
        table->insert(part, toml::table{});
      current = table->get(part);
    } else if (auto* array = current->as_array()) {
      auto index = as_index(part);
      if (!index || *index >= array->size())
        throw InputError(
            fmt::format("--set {}: {} is not a valid index (array has {} elements)", key, walked, array->size()));
      current = array->get(*index);
    } else {
      throw InputError(fmt::format("--set {}: {} is a value, not a table or array", key, parent));
    }
  }
  const auto& last = parts.back();
  const toml::table holder = parse_value(assignment.substr(eq + 1));
  const toml::node& value = *holder.get("v");
  if (auto* table = current->as_table()) {
    value.visit([&](const auto& concrete) { table->insert_or_assign(last, concrete); });
  } else if (auto* array = current->as_array()) {
    auto index = as_index(last);
    if (!index || *index > array->size())
      throw InputError(
          fmt::format("--set {}: {} is not a valid index (array has {} elements)", key, last, array->size()));
    value.visit([&](const auto& concrete) {
      if (*index == array->size())
        array->push_back(concrete);
      else
        array->replace(array->begin() + static_cast<std::ptrdiff_t>(*index), concrete);
    });
  } else {
    throw InputError(fmt::format("--set {}: {} is a value, not a table or array", key, walked));
  }
}

} // namespace edgesim
