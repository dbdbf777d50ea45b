#pragma once
// The engine's side of ConfigView (include/edgesim/config_view.hpp): views over toml++
// tables for the loaders and built-in code that parse TOML, and the table behind a view.
// Policies see ConfigView only.
#include <edgesim/config_view.hpp>

#include <toml++/toml.h>

#include <memory>
#include <string>

namespace edgesim {

class ConfigAccess {
public:
  /// A view of `table`, which must outlive it (the loaders' tables live while they run).
  [[nodiscard]] static ConfigView view(const toml::table& table, std::string file, std::string path) {
    return {std::shared_ptr<const void>(std::shared_ptr<const void>(), &table), std::move(file), std::move(path)};
  }
  /// A view that keeps `table` alive (a scenario's policy tables, shared by the views).
  [[nodiscard]] static ConfigView view(std::shared_ptr<const toml::table> table, std::string file, std::string path) {
    return {std::shared_ptr<const void>(std::move(table)), std::move(file), std::move(path)};
  }
  /// A view of `sub`, a table inside the one `owner` views, sharing its ownership.
  [[nodiscard]] static ConfigView view_inside(const ConfigView& owner, const toml::table& sub, std::string path) {
    return {std::shared_ptr<const void>(owner.table_, &sub), owner.file_, std::move(path)};
  }
  [[nodiscard]] static const toml::table& table(const ConfigView& view) {
    return *static_cast<const toml::table*>(view.table_.get());
  }
};

[[nodiscard]] inline ConfigView config_view(const toml::table& table, std::string file, std::string path) {
  return ConfigAccess::view(table, std::move(file), std::move(path));
}
[[nodiscard]] inline const toml::table& toml_table(const ConfigView& view) {
  return ConfigAccess::table(view);
}

} // namespace edgesim
