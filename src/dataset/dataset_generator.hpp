#pragma once
// `edgesim dataset`: draws samples, simulates each one as an `edgesim run` child process
// (at most `jobs` at once), journals every sample's labels as it finishes (so a killed
// generation resumes with --resume, losing only the samples in flight), and finally
// writes the dataset file in sample order (and, optionally, the ChainNet text format).
#include "dataset/dataset_spec.hpp"
#include "run/run_launcher.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace edgesim::dataset {

struct GenerateOptions {
  std::string spec_file;
  std::uint64_t samples = 0;
  unsigned jobs = 1;
  std::size_t shard_index = 0;
  std::size_t shard_count = 1;
  bool resume = false;
  bool chainnet = false; // also write <output stem>_chainnet/raw/*.txt
  bool quiet = false;
  std::filesystem::path output;
  std::vector<std::string> simgrid_args; // passed to every child
  std::string command_line;
  std::string created_at;            // ISO 8601 UTC, stored in /meta
  std::function<bool()> interrupted; // polled; true stops the generation (journal kept)
  run::SpawnMode spawn;              // how the samples' runs start (forked copies, or fresh processes)
};

struct GenerateResult {
  std::uint64_t simulated = 0; // samples simulated by this call
  std::uint64_t resumed = 0;   // samples taken from the journal
  std::uint64_t written = 0;   // samples in the output file
  double wall_seconds = 0;     // of the simulation phase
  std::filesystem::path chainnet_dir;
};

/// Throws InputError for a bad spec, RuntimeError when a sample's simulation fails or the
/// generation is interrupted (the journal then holds the samples finished so far).
GenerateResult generate_dataset(const GenerateOptions& options);

/// The ChainNet directory written next to `output`: "<stem>_chainnet".
[[nodiscard]] std::filesystem::path chainnet_directory_for(const std::filesystem::path& output);

} // namespace edgesim::dataset
