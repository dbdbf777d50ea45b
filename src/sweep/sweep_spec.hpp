#pragma once
// What a sweep runs (docs/architecture.md "Process model", docs/cli.md): the points of a design over varied scenario
// keys, each replicated, each replication with its own seed.
//
// - `--vary KEY=V1,V2,...` lists values (TOML text, split at top-level commas, so
//   `[0.8,0.9]` stays one value); `--vary KEY=START:STOP:STEP` is the range START,
//   START+STEP, ... up to STOP inclusive.
// - Grid design: the cartesian product, the first --vary slowest (row-major). Latin
//   hypercube (`lhs`, --points N): N points, each axis cut into N strata visited once
//   in a seeded random order; a START:STOP range is sampled continuously (integers
//   when both ends are integers), a list or a stepped range by its values.
// - Point p, replication r gets seed = seed_of(p, r), a function of the scenario seed,
//   p and r only, so a point's result does not depend on which worker or shard ran it.
//   Streams::Independent (default): every point its own seeds, so points are independent
//   samples. Streams::Common: replication r of every point uses point 0's seed (common
//   random numbers: the same arrival and work draws, scaled by the point's rates), which
//   makes differences between points less noisy but points correlated.
// - The sweep id hashes everything that determines the results (scenario text, fixed
//   overrides, vary spec, design, replications, seed, engine options), so resume and
//   merge refuse files of a different sweep.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace edgesim::sweep {

struct VaryAxis {
  std::string key;                 // dotted scenario key
  std::string spec;                // the text after '=' as given
  std::vector<std::string> values; // TOML text of each value (grid values; lhs candidates)
  bool numeric = false;            // every value is a number
  bool continuous = false;         // START:STOP without step (lhs samples the interval)
  bool integer = false;            // continuous over integers
  double start = 0, stop = 0;      // continuous bounds
};

/// Parses one --vary argument; throws InputError naming it.
VaryAxis parse_vary(std::string_view text);

enum class Design { Grid, Lhs };
enum class Streams { Independent, Common };

struct SweepSpec {
  std::string scenario_file;
  std::string scenario_text;          // the file's text
  std::vector<std::string> overrides; // --set applied to every point
  std::vector<std::string> engine_args;
  std::vector<VaryAxis> axes;
  Design design = Design::Grid;
  std::size_t lhs_points = 0;
  std::size_t reps = 1;
  std::uint64_t seed = 1; // base seed: the scenario's simulation.seed, or --seed
  Streams streams = Streams::Independent;

  [[nodiscard]] std::size_t point_count() const;
  [[nodiscard]] std::size_t run_count() const { return point_count() * reps; }
  /// Value text of every axis at every point: [point][axis].
  [[nodiscard]] std::vector<std::vector<std::string>> point_values() const;
  /// Seed of replication r of point p.
  [[nodiscard]] std::uint64_t seed_of(std::size_t point, std::size_t rep) const;
  /// Canonical text of everything that determines the results, and its hash.
  [[nodiscard]] std::string identity_text() const;
  [[nodiscard]] std::string id() const;
  /// Validates the combination (axes present, lhs with points, distinct keys).
  void check() const;
};

std::string_view design_name(Design design);
Design parse_design(std::string_view text);
std::string_view streams_name(Streams streams);
Streams parse_streams(std::string_view text);

} // namespace edgesim::sweep
