#include <edgesim/config_view.hpp>

#include "scenario/units.hpp"

#include <fmt/format.h>

#include <cmath>

namespace edgesim {

ConfigView::ConfigView(const toml::table& table, std::string file, std::string path)
    : table_(&table), file_(std::move(file)), path_(std::move(path)) {}

std::string ConfigView::where(std::string_view key) const {
  std::string full = path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
  const toml::node* node = table_->get(key);
  const auto& src = node != nullptr ? node->source() : table_->source();
  if (src.begin.line > 0)
    return fmt::format("{}:{}: {}", file_, src.begin.line, full);
  return fmt::format("{}: {}", file_, full);
}

void ConfigView::fail(std::string_view key, std::string_view expected) const {
  throw InputError(fmt::format("{}: expected {}", where(key), expected));
}

bool ConfigView::has(std::string_view key) const {
  return table_->contains(key);
}

double ConfigView::get_double(std::string_view key) const {
  const toml::node* node = table_->get(key);
  if (node == nullptr)
    fail(key, "a number (missing)");
  if (auto v = node->value<double>(); v && std::isfinite(*v) && (node->is_number()))
    return *v;
  fail(key, "a number");
}

double ConfigView::get_double(std::string_view key, double fallback) const {
  return has(key) ? get_double(key) : fallback;
}

std::int64_t ConfigView::get_int(std::string_view key) const {
  const toml::node* node = table_->get(key);
  if (node == nullptr)
    fail(key, "an integer (missing)");
  if (auto v = node->as_integer())
    return v->get();
  fail(key, "an integer");
}

std::int64_t ConfigView::get_int(std::string_view key, std::int64_t fallback) const {
  return has(key) ? get_int(key) : fallback;
}

std::string ConfigView::get_string(std::string_view key) const {
  const toml::node* node = table_->get(key);
  if (node == nullptr)
    fail(key, "a string (missing)");
  if (auto v = node->as_string())
    return v->get();
  fail(key, "a string");
}

std::string ConfigView::get_string(std::string_view key, std::string_view fallback) const {
  return has(key) ? get_string(key) : std::string(fallback);
}

bool ConfigView::get_bool(std::string_view key, bool fallback) const {
  if (!has(key))
    return fallback;
  const auto value = table_->get(key)->value_exact<bool>();
  if (!value)
    fail(key, "true or false");
  return *value;
}

const toml::array& ConfigView::get_table_array(std::string_view key, std::string_view expected) const {
  const toml::node* node = table_->get(key);
  const toml::array* array = node != nullptr ? node->as_array() : nullptr;
  // toml++ calls an empty array heterogeneous: `exits = []` must still mean "none".
  if (array == nullptr || (!array->empty() && !array->is_array_of_tables()))
    fail(key, expected);
  return *array;
}

std::vector<double> ConfigView::get_double_array(std::string_view key) const {
  const toml::node* node = table_->get(key);
  if (node == nullptr)
    fail(key, "an array of numbers (missing)");
  const auto* array = node->as_array();
  if (array == nullptr)
    fail(key, "an array of numbers");
  std::vector<double> out;
  out.reserve(array->size());
  for (const auto& element : *array) {
    auto v = element.value<double>();
    if (!v || !element.is_number() || !std::isfinite(*v))
      fail(key, "an array of numbers");
    out.push_back(*v);
  }
  return out;
}

double ConfigView::get_seconds(std::string_view key) const {
  const toml::node* node = table_->get(key);
  if (node == nullptr)
    fail(key, "a duration (missing)");
  if (node->is_number())
    return node->value<double>().value_or(0.0);
  if (auto text = node->as_string())
    if (auto seconds = units::parse_seconds(text->get()))
      return *seconds;
  fail(key, "a duration such as 250ms, 1.5s or a number of seconds");
}

double ConfigView::get_seconds(std::string_view key, double fallback) const {
  return has(key) ? get_seconds(key) : fallback;
}

void ConfigView::require_only(const std::set<std::string, std::less<>>& allowed) const {
  for (const auto& [key, node] : *table_) {
    if (!allowed.contains(key.str())) {
      std::string list;
      for (const auto& name : allowed)
        list += (list.empty() ? "" : ", ") + name;
      throw UnknownKeyError(fmt::format("{}: unknown key (expected one of: {})", where(key.str()), list),
                            path_.empty() ? std::string(key.str()) : fmt::format("{}.{}", path_, key.str()));
    }
  }
}

} // namespace edgesim
