// ConfigView (include/edgesim/config_view.hpp), the TOML-free view policies configure
// themselves with: kinds, typed getters with their error messages, sub-tables and arrays
// of tables named by their key path, and views that keep the table they came from alive.
#include "config/toml_config.hpp"
#include "config/toml_text.hpp"

#include <edgesim/config_view.hpp>
#include <edgesim/error.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace edgesim {
namespace {

const char* const kText = R"(
flag = true
count = 3
rate = 2.5
name = "x"
hosts = ["a", "b"]
grid = [[0.5, 0.9], [0.7]]
window = "250ms"
[sub]
k = 1
[[entries]]
host = "a"
[[entries]]
host = "b"
extra = 1
)";

std::string error_of(const auto& call) {
  try {
    call();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(ConfigView, KindsOfKeys) {
  const toml::table table = parse_toml_text(kText, "p.toml");
  const ConfigView view = config_view(table, "p.toml", "exits");
  EXPECT_EQ(view.kind("flag"), ConfigKind::Boolean);
  EXPECT_EQ(view.kind("count"), ConfigKind::Integer);
  EXPECT_EQ(view.kind("rate"), ConfigKind::Float);
  EXPECT_EQ(view.kind("name"), ConfigKind::String);
  EXPECT_EQ(view.kind("hosts"), ConfigKind::Array);
  EXPECT_EQ(view.kind("sub"), ConfigKind::Table);
  EXPECT_EQ(view.kind("absent"), ConfigKind::Missing);
  EXPECT_EQ(view.element_kind("grid"), ConfigKind::Array);
  EXPECT_EQ(view.element_kind("hosts"), ConfigKind::String);
  EXPECT_EQ(view.element_kind("count"), ConfigKind::Missing);
  EXPECT_EQ(view.keys().front(), "count"); // sorted
  EXPECT_EQ(view.keys().size(), 9u);
}

TEST(ConfigView, TypedGettersAndTheirErrors) {
  const toml::table table = parse_toml_text(kText, "p.toml");
  const ConfigView view = config_view(table, "p.toml", "exits");
  EXPECT_EQ(view.get_string_array("hosts", "host names"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(view.get_double_arrays("grid"), (std::vector<std::vector<double>>{{0.5, 0.9}, {0.7}}));
  EXPECT_DOUBLE_EQ(view.get_seconds("window"), 0.25);
  EXPECT_TRUE(view.get_bool("flag", false));
  EXPECT_EQ(error_of([&] { (void)view.get_string_array("count", "host names"); }),
            "p.toml:3: exits.count: expected host names");
  EXPECT_NE(error_of([&] { (void)view.get_double_arrays("hosts"); }).find("exits.hosts: expected"), std::string::npos);
}

TEST(ConfigView, SubTablesAndArraysOfTablesAreNamedByTheirPath) {
  const toml::table table = parse_toml_text(kText, "p.toml");
  const ConfigView view = config_view(table, "p.toml", "placement");
  EXPECT_EQ(view.get_table("sub", "a table").get_int("k"), 1);
  EXPECT_EQ(view.get_table("sub", "a table").path(), "placement.sub");
  const std::vector<ConfigView> entries = view.get_table_array("entries", "entries");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].get_string("host"), "b");
  EXPECT_EQ(error_of([&] { entries[1].require_only({"host"}); }).rfind("p.toml:15: placement.entries.1.extra", 0), 0u);
  EXPECT_NE(error_of([&] { (void)view.get_table("name", "a table"); }).find("expected a table"), std::string::npos);
}

TEST(ConfigView, OwningViewOutlivesTheSharedTable) {
  auto table = std::make_shared<const toml::table>(parse_toml_text(kText, "p.toml"));
  const ConfigView view = ConfigAccess::view(table, "p.toml", "exits");
  const std::vector<ConfigView> entries = view.get_table_array("entries", "entries");
  table.reset(); // the scenario is gone; the views keep its table
  EXPECT_EQ(view.get_string("name"), "x");
  EXPECT_EQ(entries[0].get_string("host"), "a");
}

} // namespace
} // namespace edgesim
