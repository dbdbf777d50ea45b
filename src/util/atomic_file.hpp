#pragma once
// Atomic output files (every file edgesim writes: run files, sweep files, datasets and
// their ChainNet text directories, validation tables): the file is written under a
// temporary name next to its final path, PATH.tmp.PID, and renamed onto PATH only when
// complete, so an interrupted run leaves either the previous file or the new one, never
// half of one. A temporary left by a killed process is removed by the next writer of the
// same path (remove_stale_temporaries).
#include <cstddef>
#include <filesystem>
#include <functional>

namespace edgesim {

enum class Durability : bool {
  Volatile, // rename only: safe against an interrupted process
  Durable,  // fsync the file before the rename and its directory after: safe against a crash
};

/// PATH.tmp.PID.
[[nodiscard]] std::filesystem::path temporary_path(const std::filesystem::path& path, long pid);
/// PATH.tmp.PID of this process.
[[nodiscard]] std::filesystem::path temporary_path(const std::filesystem::path& path);

/// Deletes PATH.tmp.PID files and directories whose process no longer exists; keeps those
/// of live processes, this one included. Returns how many were deleted. Liveness is
/// checked on this machine only, so do not share an output directory between machines
/// while runs are in flight.
std::size_t remove_stale_temporaries(const std::filesystem::path& path);

/// Makes the complete `temporary` (a file, or a directory that replaces a directory) the
/// one at `path`. On failure the temporary is removed and RuntimeError names the path,
/// the temporary and the reason.
void commit_temporary(const std::filesystem::path& temporary, const std::filesystem::path& path, Durability durability);

/// `write` fills the temporary it is given; then it is committed. If `write` throws, the
/// temporary is removed and the exception passes on.
void write_atomically(const std::filesystem::path& path, const std::function<void(const std::filesystem::path&)>& write,
                      Durability durability);

} // namespace edgesim
