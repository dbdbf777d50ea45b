#pragma once
// Resolution of relative input paths: relative to the file that names them, then to the
// working directory, then to the installed data directory (the source tree), so both
// `edgesim run scenarios/x.toml` from the repository and absolute paths work.
#include <string>

namespace edgesim {

std::string parent_directory(const std::string& file);
std::string resolve_input_path(const std::string& name, const std::string& base_dir);

} // namespace edgesim
