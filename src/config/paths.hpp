#pragma once
// Resolution of relative input paths: relative to the file that names them, then to the
// working directory, then to the installed data directory (the source tree), so both
// `edgesim run scenarios/x.toml` from the repository and absolute paths work.
#include <string>

namespace edgesim {

std::string parent_directory(const std::string& file);
std::string resolve_input_path(const std::string& name, const std::string& base_dir);

/// True for a regular file that can be opened for reading. Inputs are read whole, so a
/// device (/dev/zero, /dev/stdin), a FIFO or a directory named as an input is refused
/// up front instead of hanging the loader or exhausting memory.
bool is_readable_regular_file(const std::string& path);

} // namespace edgesim
