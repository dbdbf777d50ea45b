#pragma once
// Loads and validates DNN model profiles (docs/formats.md "Model files") from a TOML file
// or an inline table, and exit traces from CSV.
#include <edgesim/model.hpp>

#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

namespace edgesim {

/// `path` is the key path used in messages ("tenants.0.model"); `base_dir` resolves a
/// relative trace file.
ModelProfile load_model_table(const toml::table& table, const std::string& file, const std::string& path,
                              const std::string& base_dir);
ModelProfile load_model_file(const std::string& file);
/// A model profile from its TOML text; `file` names it in messages and resolves a
/// relative trace file.
ModelProfile parse_model(std::string_view text, const std::string& file);

/// CSV with header `sample,exit,confidence,correct`; every sample must list exits
/// 0..num_exits (the last being the final classifier).
std::vector<ExitTraceRow> load_exit_trace(const std::string& file, std::size_t num_exits);
/// The same from a stream; `file` names it in messages.
std::vector<ExitTraceRow> parse_exit_trace(std::istream& in, const std::string& file, std::size_t num_exits);

} // namespace edgesim
