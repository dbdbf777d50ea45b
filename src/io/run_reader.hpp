#pragma once
// Reads back the tables and metadata of a run file written by RunWriter, for tests and
// tools. Each call opens the file, reads one table whole and closes it again. Columns are
// matched by name, so files with extra columns (a later format) read fine. Throws
// RuntimeError naming the file when it cannot be opened or lacks the table.
#include <edgesim/results.hpp>

#include <filesystem>
#include <vector>

namespace edgesim::io {

[[nodiscard]] std::vector<RequestRecord> read_requests(const std::filesystem::path& path);
[[nodiscard]] std::vector<TimelineRecord> read_timeline(const std::filesystem::path& path);
[[nodiscard]] std::vector<HostRecord> read_hosts(const std::filesystem::path& path);
[[nodiscard]] std::vector<LinkRecord> read_links(const std::filesystem::path& path);
[[nodiscard]] std::vector<SummaryRow> read_summary(const std::filesystem::path& path);
[[nodiscard]] std::vector<PlacementRecord> read_placements(const std::filesystem::path& path);
[[nodiscard]] std::vector<PolicyRecord> read_policy(const std::filesystem::path& path);
[[nodiscard]] std::vector<LayerLatencyRecord> read_layer_latency(const std::filesystem::path& path);
[[nodiscard]] RunMeta read_meta(const std::filesystem::path& path);

} // namespace edgesim::io
