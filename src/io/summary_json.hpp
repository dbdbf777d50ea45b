#pragma once
// Reads back the summary rows of an `edgesim run --json` output (sim/summary_output.cpp
// writes it: field names as in /summary, numbers with 17 significant digits, NaN as
// null), for the processes that run edgesim children: sweeps, offline tuning.
#include <edgesim/results.hpp>

#include <string_view>
#include <vector>

namespace edgesim::io {

/// The rows of the summary: the tenants in order, then "all". Throws RuntimeError if the
/// text is not such a summary.
std::vector<SummaryRow> parse_summary_json(std::string_view json);

} // namespace edgesim::io
