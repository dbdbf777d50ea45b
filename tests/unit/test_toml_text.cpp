// parse_toml_text / find_unreadable_non_ascii: non-ASCII text is refused outside strings
// and comments (and after backslashes in multi-line basic strings) before toml++ sees
// it, accepted everywhere TOML allows it, with the file, line and column of the refusal.
#include "config/toml_text.hpp"

#include <edgesim/error.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {

using edgesim::find_unreadable_non_ascii;
using edgesim::InputError;
using edgesim::parse_toml_text;

std::string error_of(const std::string& text) {
  try {
    parse_toml_text(text, "m.toml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

const std::string kOutside =
    "non-ASCII character outside a string or comment (TOML allows it only in quoted strings and comments)";

TEST(TomlText, RefusesNonAsciiInABareValueWithFileLineAndColumn) {
  // The fuzzing reproducer: toml++ 3.3 reaches __builtin_unreachable() on the 'ν'.
  EXPECT_EQ(error_of("names = 6-nsν\n"), "m.toml:1:13: " + kOutside);
  EXPECT_EQ(error_of("a = 1\n\n  b = ñ\n"), "m.toml:3:7: " + kOutside);
}

TEST(TomlText, RefusesNonAsciiInBareKeysAndTableHeaders) {
  EXPECT_EQ(error_of("clé = 1\n"), "m.toml:1:3: " + kOutside);
  EXPECT_EQ(error_of("[hosts.café]\n"), "m.toml:1:11: " + kOutside);
  EXPECT_EQ(error_of("x = [1, 2,\u00a0 3]\n"), "m.toml:1:11: " + kOutside); // NO-BREAK SPACE
}

TEST(TomlText, ColumnsCountCodePointsNotBytes) {
  EXPECT_EQ(error_of("a = \"αβγ\" δ\n"), "m.toml:1:11: " + kOutside);
}

TEST(TomlText, AcceptsNonAsciiInEveryKindOfStringAndInComments) {
  const std::string text = "# Überblick: µs, ≤ 1 ms\n"
                           "basic = \"naïve \\\"quoted\\\" ν\" # trailing comment: ñ\n"
                           "literal = 'C:\\ταυ'\n"
                           "\"quoted ключ\" = 1\n"
                           "multi = \"\"\"\n"
                           "  first ν line\n"
                           "  \"two quotes\" \"\" and an escaped one \\\"\"\" still inside: é\n"
                           "  \"\"\"\n"
                           "multi_literal = '''\n"
                           "  ψ ''\n"
                           "'''\n"
                           "table = { name = \"Ωmega\" }\n";
  const toml::table table = parse_toml_text(text, "m.toml");
  EXPECT_EQ(table["basic"].value_or(std::string{}), "naïve \"quoted\" ν");
  EXPECT_EQ(table["literal"].value_or(std::string{}), "C:\\ταυ");
  EXPECT_EQ(table["quoted ключ"].value_or(0), 1);
  EXPECT_EQ(table["multi"].value_or(std::string{}),
            "  first ν line\n  \"two quotes\" \"\" and an escaped one \"\"\" still inside: é\n  ");
  EXPECT_EQ(table["multi_literal"].value_or(std::string{}), "  ψ ''\n");
  EXPECT_EQ(table["table"]["name"].value_or(std::string{}), "Ωmega");
}

TEST(TomlText, MultiLineStringsMayEndInQuotesOfTheirOwn) {
  // """a"""" is "a\"": the scanner must not take the last quote for an opening one.
  const toml::table table = parse_toml_text("s = \"\"\"a\"\"\"\"\nt = '''b'''''\nu = \"ü\"\n", "m.toml");
  EXPECT_EQ(table["s"].value_or(std::string{}), "a\"");
  EXPECT_EQ(table["t"].value_or(std::string{}), "b''");
  EXPECT_EQ(error_of("s = \"\"\"a\"\"\"\"\nv = ü\n"), "m.toml:2:5: " + kOutside);
}

TEST(TomlText, AQuoteInsideABareValueOpensNoString) {
  // toml++ reads a value starting with a digit or sign up to the next space, comma,
  // bracket or '#', quotes included (a fuzzing input: `nam = +"""ν""*`).
  EXPECT_EQ(error_of("nam = +\"\"\"ν\"\"*\n"), "m.toml:1:11: " + kOutside);
  EXPECT_EQ(error_of("x = 1'ν'\n"), "m.toml:1:7: " + kOutside);
  EXPECT_EQ(error_of("x = [1, 2.\"ν\"]\n"), "m.toml:1:12: " + kOutside);
  EXPECT_EQ(error_of("d = 1979-05-27 12\"ν\"\n"), "m.toml:1:19: " + kOutside);
}

TEST(TomlText, FollowsKeysAndValuesThroughArraysAndInlineTables) {
  const std::string text = "a.\"ключ\" = 1\n"
                           "x = [\"ν\", 'ψ', { \"k\" = \"ω\", k2.\"ü\" = [\"é\"] },\n"
                           "  \"second line\" # ô\n"
                           "]\n"
                           "[t . 'ψ']\n";
  const toml::table table = parse_toml_text(text, "m.toml");
  EXPECT_EQ(table["a"]["ключ"].value_or(0), 1);
  EXPECT_TRUE(table["t"]["ψ"].is_table());
  EXPECT_EQ(table["x"][0].value_or(std::string{}), "ν");
  EXPECT_EQ(table["x"][2]["k2"]["ü"][0].value_or(std::string{}), "é");
  EXPECT_EQ(table["x"][3].value_or(std::string{}), "second line");
}

TEST(TomlText, AnUnclosedStringDoesNotHideTheLinesAfterIt) {
  EXPECT_EQ(error_of("a = \"open\nb = ü\n"), "m.toml:2:5: " + kOutside);
  EXPECT_EQ(error_of("a = 'open\nb = ü\n"), "m.toml:2:5: " + kOutside);
}

TEST(TomlText, RefusesNonAsciiRightAfterABackslashInMultiLineBasicStrings) {
  // toml++ 3.3 tests these code points for whitespace too.
  EXPECT_NE(error_of("s = \"\"\"a\\ν\"\"\"\n").find("m.toml:1:10: non-ASCII character after a backslash"),
            std::string::npos);
  EXPECT_NE(error_of("s = \"\"\"a \\\n   \n   ναι\"\"\"\n")
                .find("m.toml:3:4: non-ASCII character first on a line continued by a line-ending backslash"),
            std::string::npos);
  // An ASCII character first is fine, and so is the same text in a literal string.
  const toml::table table = parse_toml_text("s = \"\"\"a \\\n   xναι\"\"\"\nt = '''a \\\n ναι'''\n", "m.toml");
  EXPECT_EQ(table["s"].value_or(std::string{}), "a xναι");
  EXPECT_EQ(table["t"].value_or(std::string{}), "a \\\n ναι");
}

TEST(TomlText, AllowsAByteOrderMarkAtTheStartOnly) {
  EXPECT_EQ(parse_toml_text("\xEF\xBB\xBF"
                            "a = 1\n",
                            "m.toml")["a"]
                .value_or(0),
            1);
  EXPECT_EQ(error_of("a = 1\n\xEF\xBB\xBF"), "m.toml:2:1: " + kOutside);
}

TEST(TomlText, SyntaxErrorsNameFileLineAndColumn) {
  const std::string error = error_of("a = 1\nb = \n");
  EXPECT_EQ(error.rfind("m.toml:2:", 0), 0U) << error;
  EXPECT_FALSE(find_unreadable_non_ascii("a = 1\nb = \n").has_value());
}

} // namespace
