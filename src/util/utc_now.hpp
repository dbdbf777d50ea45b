#pragma once
// The wall-clock time as ISO 8601 UTC ("2026-11-30T06:52:15Z"), for the metadata of
// output files (/meta started_at, created_at).
#include <string>

namespace edgesim {

[[nodiscard]] std::string utc_now();

} // namespace edgesim
