#pragma once
// Typed, validating access to a policy's (or a model's) configuration table. Every
// getter names the full key path (and the line, when known) in the InputError it throws,
// so plugins give the same quality of error messages as the built-ins without seeing the
// scenario loader. The table is the scenario's TOML, but nothing here exposes TOML types:
// a plugin needs only this header.
#include <edgesim/error.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace edgesim {

/// What a key holds.
enum class ConfigKind : std::uint8_t { Missing, Boolean, Integer, Float, String, Array, Table, Other };

class ConfigView {
public:
  [[nodiscard]] bool has(std::string_view key) const;
  [[nodiscard]] ConfigKind kind(std::string_view key) const;
  /// The kind of the first element of the array at `key` (Missing if it is not a
  /// non-empty array).
  [[nodiscard]] ConfigKind element_kind(std::string_view key) const;
  /// The keys of the table, sorted.
  [[nodiscard]] std::vector<std::string> keys() const;

  [[nodiscard]] double get_double(std::string_view key) const;
  [[nodiscard]] double get_double(std::string_view key, double fallback) const;
  [[nodiscard]] std::int64_t get_int(std::string_view key) const;
  [[nodiscard]] std::int64_t get_int(std::string_view key, std::int64_t fallback) const;
  [[nodiscard]] std::string get_string(std::string_view key) const;
  [[nodiscard]] std::string get_string(std::string_view key, std::string_view fallback) const;
  [[nodiscard]] bool get_bool(std::string_view key, bool fallback) const;
  [[nodiscard]] std::vector<double> get_double_array(std::string_view key) const;
  /// An array of arrays of numbers (`[[0.5, 0.9], [0.7]]`).
  [[nodiscard]] std::vector<std::vector<double>> get_double_arrays(std::string_view key) const;
  /// A non-empty array of strings; fails with `expected` otherwise.
  [[nodiscard]] std::vector<std::string> get_string_array(std::string_view key, std::string_view expected) const;
  /// A duration in seconds: a number (seconds) or a string with a unit ("250ms").
  [[nodiscard]] double get_seconds(std::string_view key) const;
  [[nodiscard]] double get_seconds(std::string_view key, double fallback) const;
  /// The sub-table at `key`; fails with `expected` when it is missing or not a table.
  [[nodiscard]] ConfigView get_table(std::string_view key, std::string_view expected) const;
  /// The tables of the array at `key` (`[[key]]` or `key = [{...}, ...]`); an empty array
  /// is one with no tables. Fails with `expected` when the key is missing or holds
  /// anything else. Each view names its table `key.i`.
  [[nodiscard]] std::vector<ConfigView> get_table_array(std::string_view key, std::string_view expected) const;
  /// Rejects keys not in `allowed`, naming the first unknown one.
  void require_only(const std::set<std::string, std::less<>>& allowed) const;

  [[nodiscard]] std::string where(std::string_view key) const; // "file:line: key.path"
  [[noreturn]] void fail(std::string_view key, std::string_view expected) const;
  [[nodiscard]] const std::string& file() const { return file_; }
  [[nodiscard]] const std::string& path() const { return path_; }

private:
  friend class ConfigAccess; // src/config/config_access.hpp: the engine's side
  ConfigView(std::shared_ptr<const void> table, std::string file, std::string path)
      : table_(std::move(table)), file_(std::move(file)), path_(std::move(path)) {}

  // The TOML table, type-erased so that this header needs no TOML library; shared, so a
  // view (and a policy keeping one) may outlive the scenario object it came from.
  std::shared_ptr<const void> table_;
  std::string file_;
  std::string path_;
};

} // namespace edgesim
