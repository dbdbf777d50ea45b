// Fuzz target: exit-trace CSV (model/model_loader.cpp, parse_exit_trace).
//
// Input: the first byte chooses the model's number of intermediate exits (0..7), the
// rest is the CSV text.
#include "fuzz_support.hpp"

#include "model/model_loader.hpp"

#include <sstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  const std::size_t num_exits = data[0] % 8;
  std::istringstream csv{std::string(edgesim::fuzz::as_text(data + 1, size - 1))};
  return edgesim::fuzz::accept_input_errors([&] {
    const auto rows = edgesim::parse_exit_trace(csv, "fuzz.csv", num_exits);
    using edgesim::fuzz::require;
    require(!rows.empty() && rows.size() % (num_exits + 1) == 0, "every sample has every exit");
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto& row = rows[i];
      require(row.exit == static_cast<int>(i % (num_exits + 1)), "rows sorted by sample, then exit");
      require(row.confidence >= 0 && row.confidence <= 1, "confidence in [0, 1]");
      require(i % (num_exits + 1) == 0 || row.sample == rows[i - 1].sample, "one sample per group");
    }
  });
}
