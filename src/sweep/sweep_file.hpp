#pragma once
// The HDF5 file of a sweep (docs/formats.md), always written whole to a temporary file and
// renamed over the output, so the output path holds either the previous complete file
// or the new one.
//
//   /meta              attributes: sweep_id, scenario_file, scenario (its text), set, vary
//                      (one --vary per line), design, points, reps, seed, engine_args,
//                      shard ("I/N"), runs (rows of /points), failed, edgesim_version,
//                      git_describe, created_at
//   /points            one row per point x replication, sorted by (point, rep): the varied
//                      keys (f64 when every value is a number, else a 64-byte string), point
//                      u64, rep u32, seed u64, exit_code i32, signal i32, error (256-byte
//                      string, empty when ok), then the /summary fields of the run's "all"
//                      row (NaN and 0 counts for a failed run)
//   /points_tenants    the same with a `tenant` column, one row per tenant of every run that
//                      succeeded (failed runs have no tenant rows)
//   /points_ci         one row per point: the varied keys, point, n (successful
//                      replications), then for each summary field F of "all": F_mean and
//                      F_ci95 (half-width of the two-sided 95 % Student-t interval; NaN when
//                      n < 2)
//   /runs/             the raw records the tables are derived from, one array per field:
//                      point, rep, seed, exit_code, signal, wall_seconds, error, summary_json
//   /traces/p<P>_r<R>  with --traces: the run's own datasets (/requests, /timeline, ...)
#include "sweep/run_record.hpp"
#include "sweep/sweep_spec.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace edgesim::sweep {

struct SweepFileInfo {
  SweepSpec spec;
  std::string shard = "0/1";
  std::string created_at;
};

/// Where the /traces of a sweep file come from: the run files `dir/p<P>_r<R>.h5` of a
/// running sweep, and the /traces groups of other sweep files (shards being merged).
struct TraceSources {
  std::filesystem::path dir;
  std::vector<std::filesystem::path> sweep_files;
  [[nodiscard]] bool empty() const { return dir.empty() && sweep_files.empty(); }
};

/// Writes `records` (any order; sorted here) atomically to `path`, with the traces of
/// `traces` (none by default) under /traces.
void write_sweep_file(const std::filesystem::path& path, const SweepFileInfo& info, std::vector<RunRecord> records,
                      const TraceSources& traces = {});

struct SweepFileContents {
  std::map<std::string, std::string> meta; // the string attributes of /meta
  std::vector<RunRecord> runs;
};

/// Reads /meta and /runs. Throws InputError naming the file if it is not a sweep file.
SweepFileContents read_sweep_file(const std::filesystem::path& path);

/// The sweep spec stored in /meta (to regenerate points when merging).
SweepSpec spec_from_meta(const std::map<std::string, std::string>& meta);

/// One table read back column by column (for tests and tools): numbers as doubles,
/// strings as strings.
struct SweepTable {
  std::vector<std::string> names;
  std::map<std::string, std::variant<std::vector<double>, std::vector<std::string>>> columns;
  std::size_t rows = 0;
  [[nodiscard]] const std::vector<double>& numbers(const std::string& name) const;
  [[nodiscard]] const std::vector<std::string>& strings(const std::string& name) const;
};
SweepTable read_sweep_table(const std::filesystem::path& path, const std::string& dataset);

/// Where a run's trace file goes under a traces directory.
std::filesystem::path trace_file(const std::filesystem::path& traces_dir, std::uint64_t point, std::uint32_t rep);

} // namespace edgesim::sweep
