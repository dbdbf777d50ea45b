#pragma once
// Typed, validating access to a policy's TOML table. Every getter names the full key
// path (and the line, when known) in the InputError it throws, so plugins give the same
// quality of error messages as the built-ins without seeing the scenario loader.
#include <edgesim/error.hpp>

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

namespace edgesim {

class ConfigView {
public:
  ConfigView(const toml::table& table, std::string file, std::string path);

  [[nodiscard]] bool has(std::string_view key) const;
  [[nodiscard]] double get_double(std::string_view key) const;
  [[nodiscard]] double get_double(std::string_view key, double fallback) const;
  [[nodiscard]] std::int64_t get_int(std::string_view key) const;
  [[nodiscard]] std::int64_t get_int(std::string_view key, std::int64_t fallback) const;
  [[nodiscard]] std::string get_string(std::string_view key) const;
  [[nodiscard]] std::string get_string(std::string_view key, std::string_view fallback) const;
  [[nodiscard]] bool get_bool(std::string_view key, bool fallback) const;
  [[nodiscard]] std::vector<double> get_double_array(std::string_view key) const;
  /// A duration in seconds: a number (seconds) or a string with a unit ("250ms").
  [[nodiscard]] double get_seconds(std::string_view key) const;
  [[nodiscard]] double get_seconds(std::string_view key, double fallback) const;
  /// The array of tables at `key` (`[[key]]` or `key = [{...}, ...]`); an empty array is
  /// one with no tables. Fails with `expected` when the key is missing or holds anything
  /// else.
  [[nodiscard]] const toml::array& get_table_array(std::string_view key, std::string_view expected) const;
  /// Rejects keys not in `allowed`, naming the first unknown one.
  void require_only(const std::set<std::string, std::less<>>& allowed) const;

  [[nodiscard]] std::string where(std::string_view key) const; // "file: key.path (line N)"
  [[noreturn]] void fail(std::string_view key, std::string_view expected) const;
  [[nodiscard]] const toml::table& table() const { return *table_; }

private:
  const toml::table* table_;
  std::string file_;
  std::string path_;
};

} // namespace edgesim
