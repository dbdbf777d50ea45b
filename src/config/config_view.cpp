#include "config/toml_config.hpp"
#include "config/units.hpp"

#include <fmt/format.h>

#include <cmath>

namespace edgesim {

namespace {

ConfigKind kind_of(const toml::node* node) {
  if (node == nullptr)
    return ConfigKind::Missing;
  switch (node->type()) {
  case toml::node_type::boolean:
    return ConfigKind::Boolean;
  case toml::node_type::integer:
    return ConfigKind::Integer;
  case toml::node_type::floating_point:
    return ConfigKind::Float;
  case toml::node_type::string:
    return ConfigKind::String;
  case toml::node_type::array:
    return ConfigKind::Array;
  case toml::node_type::table:
    return ConfigKind::Table;
  default:
    return ConfigKind::Other;
  }
}

} // namespace

ConfigKind ConfigView::kind(std::string_view key) const {
  return kind_of(toml_table(*this).get(key));
}

ConfigKind ConfigView::element_kind(std::string_view key) const {
  const toml::node* node = toml_table(*this).get(key);
  const toml::array* array = node != nullptr ? node->as_array() : nullptr;
  return array == nullptr || array->empty() ? ConfigKind::Missing : kind_of(array->get(0));
}

std::vector<std::string> ConfigView::keys() const {
  std::vector<std::string> out;
  for (const auto& [key, node] : toml_table(*this))
    out.emplace_back(key.str());
  return out;
}

ConfigView ConfigView::get_table(std::string_view key, std::string_view expected) const {
  const toml::node* node = toml_table(*this).get(key);
  const toml::table* sub = node != nullptr ? node->as_table() : nullptr;
  if (sub == nullptr)
    fail(key, expected);
  return ConfigAccess::view_inside(*this, *sub, path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key));
}

std::vector<std::string> ConfigView::get_string_array(std::string_view key, std::string_view expected) const {
  const toml::node* node = toml_table(*this).get(key);
  const toml::array* array = node != nullptr ? node->as_array() : nullptr;
  if (array == nullptr || array->empty())
    fail(key, expected);
  std::vector<std::string> out;
  for (const auto& element : *array) {
    const auto* text = element.as_string();
    if (text == nullptr)
      fail(key, expected);
    out.push_back(text->get());
  }
  return out;
}

std::vector<std::vector<double>> ConfigView::get_double_arrays(std::string_view key) const {
  const toml::node* node = toml_table(*this).get(key);
  const toml::array* array = node != nullptr ? node->as_array() : nullptr;
  if (array == nullptr)
    fail(key, "an array of arrays of numbers");
  std::vector<std::vector<double>> out;
  for (const auto& element : *array) {
    const toml::array* list = element.as_array();
    if (list == nullptr)
      fail(key, "an array of arrays of numbers");
    std::vector<double> values;
    for (const auto& value : *list) {
      auto v = value.value<double>();
      if (!v || !value.is_number() || !std::isfinite(*v))
        fail(key, "arrays of numbers");
      values.push_back(*v);
    }
    out.push_back(std::move(values));
  }
  return out;
}

std::string ConfigView::where(std::string_view key) const {
  std::string full = path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
  const toml::node* node = toml_table(*this).get(key);
  const auto& src = node != nullptr ? node->source() : toml_table(*this).source();
  if (src.begin.line > 0)
    return fmt::format("{}:{}: {}", file_, src.begin.line, full);
  return fmt::format("{}: {}", file_, full);
}

void ConfigView::fail(std::string_view key, std::string_view expected) const {
  throw InputError(fmt::format("{}: expected {}", where(key), expected));
}

bool ConfigView::has(std::string_view key) const {
  return toml_table(*this).contains(key);
}

double ConfigView::get_double(std::string_view key) const {
  const toml::node* node = toml_table(*this).get(key);
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
  const toml::node* node = toml_table(*this).get(key);
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
  const toml::node* node = toml_table(*this).get(key);
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
  const auto value = toml_table(*this).get(key)->value_exact<bool>();
  if (!value)
    fail(key, "true or false");
  return *value;
}

std::vector<ConfigView> ConfigView::get_table_array(std::string_view key, std::string_view expected) const {
  const toml::node* node = toml_table(*this).get(key);
  const toml::array* array = node != nullptr ? node->as_array() : nullptr;
  // toml++ calls an empty array heterogeneous: `exits = []` must still mean "none".
  if (array == nullptr || (!array->empty() && !array->is_array_of_tables()))
    fail(key, expected);
  std::vector<ConfigView> tables;
  const std::string base = path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
  for (std::size_t i = 0; i < array->size(); ++i)
    tables.push_back(ConfigAccess::view_inside(*this, *array->get(i)->as_table(), fmt::format("{}.{}", base, i)));
  return tables;
}

std::vector<double> ConfigView::get_double_array(std::string_view key) const {
  const toml::node* node = toml_table(*this).get(key);
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
  const toml::node* node = toml_table(*this).get(key);
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
  for (const auto& [key, node] : toml_table(*this)) {
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
