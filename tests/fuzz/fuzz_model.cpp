// Fuzz target: DNN model profile TOML (model/model_loader.cpp), read as if it were
// scenarios/models/fuzz.toml of the source tree (so a relative exit trace resolves).
#include "fuzz_support.hpp"

#include "model/model_loader.hpp"

#include <cmath>

namespace {

using edgesim::fuzz::require;

bool finite_non_negative(double value) {
  return value >= 0 && std::isfinite(value);
}

void check(const edgesim::ModelProfile& model) {
  require(finite_non_negative(model.input_bytes), "input_bytes");
  require(!model.layers.empty(), "at least one layer");
  for (const auto& layer : model.layers)
    require(finite_non_negative(layer.flops) && finite_non_negative(layer.out_bytes) &&
                finite_non_negative(layer.param_bytes),
            "finite, non-negative layer costs");
  for (std::size_t e = 0; e < model.exits.size(); ++e) {
    const auto& exit = model.exits[e];
    require(exit.after_layer + 1 < model.layers.size(), "an exit before the last layer");
    require(e == 0 || exit.after_layer > model.exits[e - 1].after_layer, "exits in order");
    require(finite_non_negative(exit.flops) && exit.accuracy > 0 && exit.accuracy <= 1, "exit cost and accuracy");
  }
  require(model.final_accuracy > 0 && model.final_accuracy <= 1, "final accuracy");
  for (const auto& [device_class, factor] : model.efficiency)
    require(factor > 0 && std::isfinite(factor), "efficiency factors");
  require(model.difficulty_correlation >= 0 && model.difficulty_correlation < 1, "difficulty correlation");
  require(model.confidence_noise > 0 && std::isfinite(model.confidence_noise), "confidence noise");
  require(model.trace.empty() || model.trace.size() % (model.exits.size() + 1) == 0, "complete trace samples");
  (void)model.total_flops();
  for (std::size_t e = 0; e <= model.exits.size(); ++e)
    (void)model.exit_accuracy(e);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return edgesim::fuzz::accept_input_errors([&] {
    check(edgesim::parse_model(edgesim::fuzz::as_text(data, size), EDGESIM_SOURCE_DIR "/scenarios/models/fuzz.toml"));
  });
}
