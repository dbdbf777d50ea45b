// `manual`: fragments as listed, `fragments = [{ layers = "0-6", host = "pi4-1" }, ...]`.
// Layer ranges are 0-based and inclusive; "7-" runs to the last layer. They must cover
// the model contiguously from layer 0. A semantic split lists its parallel branches
// instead, each over the whole model: `[{ layers = "0-", host = "a", branch = 0 },
// { layers = "0-", host = "b", branch = 1 }]` (merged on branch 0's host).
#include "policies/builtin.hpp"

#include <fmt/format.h>

#include <charconv>

namespace edgesim {
namespace {

std::optional<std::size_t> parse_index(std::string_view text) {
  std::size_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size())
    return std::nullopt;
  return value;
}

std::optional<std::string> string_at(const ConfigView& table, std::string_view key) {
  if (table.kind(key) != ConfigKind::String)
    return std::nullopt;
  return table.get_string(key);
}

class ManualPlacement final : public PlacementPolicy {
public:
  explicit ManualPlacement(const ConfigView& config) : config_(config), file_path_(config.where("fragments")) {}

  std::vector<Fragment> place(const PlacementProblem& problem) override {
    const auto fail = [&](std::size_t i, std::string_view what) -> void {
      throw InputError(fmt::format("{}.{}: expected {}", file_path_, i, what));
    };
    constexpr std::string_view kExpected = "a list of { layers = \"a-b\", host = \"name\" }";
    const std::vector<ConfigView> list = config_.get_table_array("fragments", kExpected);
    if (list.empty())
      config_.fail("fragments", kExpected);
    const std::size_t last = problem.model.layers.size() - 1;
    std::vector<Fragment> fragments;
    std::size_t next = 0;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const ConfigView& entry = list[i];
      for (const std::string& key : entry.keys())
        if (key != "layers" && key != "host" && key != "branch")
          fail(i, fmt::format("only the keys layers, host and branch (unknown key {})", key));
      if (entry.has("branch") != list.front().has("branch"))
        fail(i, "branch = i on every fragment or on none (a semantic split lists only branches)");
      if (entry.has("branch")) {
        if (entry.kind("branch") != ConfigKind::Integer || entry.get_int("branch") != static_cast<std::int64_t>(i))
          fail(i, fmt::format("branch = {} (branches numbered 0, 1, ... in order)", i));
        auto layers = string_at(entry, "layers");
        const std::string whole = fmt::format("0-{}", last);
        if (!layers || (*layers != "0-" && *layers != whole))
          fail(i, fmt::format("layers = \"0-\" (a semantic branch runs every layer, at its share)"));
        auto host = string_at(entry, "host");
        if (!host)
          fail(i, "host = \"<host name>\"");
        fragments.push_back(Fragment{0, last, *host, i, list.size()});
        next = last + 1;
        continue;
      }
      auto layers = string_at(entry, "layers");
      auto host = string_at(entry, "host");
      if (!layers)
        fail(i, "layers = \"first-last\" (0-based, inclusive; \"7-\" to the end)");
      if (!host)
        fail(i, "host = \"<host name>\"");
      Fragment fragment;
      fragment.host = *host;
      auto dash = layers->find('-');
      auto first = parse_index(std::string_view(*layers).substr(0, dash));
      std::optional<std::size_t> second = first;
      if (dash != std::string::npos)
        second = dash + 1 == layers->size() ? std::optional<std::size_t>(last)
                                            : parse_index(std::string_view(*layers).substr(dash + 1));
      if (!first || !second || *second < *first || *second > last)
        fail(i, fmt::format("a layer range within 0..{} such as \"0-6\" or \"7-\" (got \"{}\")", last, *layers));
      if (*first != next)
        fail(i, fmt::format("fragments that cover the model contiguously: this one should start at layer {}", next));
      fragment.first_layer = *first;
      fragment.last_layer = *second;
      next = *second + 1;
      fragments.push_back(std::move(fragment));
    }
    if (!fragments.empty() && fragments.front().branches > 1) {
      if (fragments.size() > problem.model.semantic.max_branches())
        throw InputError(fmt::format("{}: expected at most {} semantic branches for model {} (its [semantic] "
                                     "accuracy_penalty covers k = 1..{})",
                                     file_path_, problem.model.semantic.max_branches(), problem.model.name,
                                     problem.model.semantic.max_branches()));
      return fragments;
    }
    if (next != last + 1)
      throw InputError(fmt::format("{}: expected fragments covering every layer of {} (layers {}..{} are not placed)",
                                   file_path_, problem.model.name, next, last));
    return fragments;
  }

private:
  ConfigView config_; // shares the scenario's table: the policy may outlive the Scenario
  std::string file_path_;
};

} // namespace

void register_place_manual(Registry& registry) {
  registry.add_placement_policy("manual", "fragments and hosts as listed in placement.fragments",
                                [](const PlacementPolicyArgs& args) -> std::unique_ptr<PlacementPolicy> {
                                  args.config.require_only({"policy", "fragments"});
                                  return std::make_unique<ManualPlacement>(args.config);
                                });
}

} // namespace edgesim
