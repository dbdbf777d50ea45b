#pragma once
// A run's summary as one JSON object: `edgesim run --json` prints it, and the run
// launcher (run/run_launcher.hpp) reads it back from its children. Written and read here
// only, each record by the columns of io/record_schema.hpp (io/record_json.hpp):
//   {"tenants":[SummaryRow...],"all":SummaryRow,"hosts":[HostRecord...],
//    "links":[LinkRecord...],"simulated_seconds":S}
#include <edgesim/results.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace edgesim::io {

/// The JSON text of `summary`, ending in a newline. `summary.rows` must not be empty
/// (its last row is "all").
[[nodiscard]] std::string summary_json(const RunSummary& summary);

/// Inverse of summary_json(). Throws RuntimeError if the text is not such a summary.
[[nodiscard]] RunSummary parse_run_summary_json(std::string_view json);

/// The summary rows only: the tenants in order, then "all".
[[nodiscard]] std::vector<SummaryRow> parse_summary_json(std::string_view json);

} // namespace edgesim::io
