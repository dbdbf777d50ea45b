#include "validate/table_files.hpp"

#include <edgesim/error.hpp>

#include <fmt/format.h>

#include <fstream>

namespace edgesim::validate {

std::string number(double v) {
  return fmt::format("{:.17g}", v);
}

std::string toml_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out)
    throw RuntimeError(fmt::format("{}: cannot write", path.string()));
}

std::vector<std::string> split_commas(const std::vector<std::string>& tokens) {
  std::vector<std::string> values;
  for (const auto& token : tokens) {
    std::size_t start = 0;
    while (start <= token.size()) {
      const std::size_t comma = std::min(token.find(',', start), token.size());
      std::string value = token.substr(start, comma - start);
      value.erase(0, value.find_first_not_of(" \t"));
      value.erase(value.find_last_not_of(" \t") + 1);
      if (!value.empty())
        values.push_back(std::move(value));
      start = comma + 1;
    }
  }
  return values;
}

} // namespace edgesim::validate
