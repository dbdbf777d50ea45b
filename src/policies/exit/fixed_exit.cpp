// `fixed-exit`: every request leaves at exit `exit` (0-based; num_exits = the final
// classifier). Classifiers of earlier exits are not evaluated.
#include "policies/builtin.hpp"

#include <fmt/format.h>

namespace edgesim {
namespace {

class FixedExitPolicy final : public ExitPolicy {
public:
  explicit FixedExitPolicy(std::size_t exit) : exit_(exit) {}
  ExitDecision decide(const ExitContext& ctx) override {
    return ctx.exit_index == exit_ ? ExitDecision::Exit : ExitDecision::Continue;
  }
  [[nodiscard]] bool evaluates_exit(std::size_t exit) const override { return exit == exit_; }

private:
  std::size_t exit_;
};

} // namespace

void register_exit_fixed(Registry& registry) {
  registry.add_exit_policy("fixed-exit", "always leave at exit `exit` (0-based; num_exits = final)",
                           [](const ExitPolicyArgs& args) -> std::unique_ptr<ExitPolicy> {
                             args.config.require_only({"policy", "exit"});
                             auto exit = args.config.get_int("exit");
                             const auto n = static_cast<std::int64_t>(args.model.exits.size());
                             if (exit < 0 || exit > n)
                               args.config.fail("exit",
                                                fmt::format("an exit index in 0..{} ({} = final classifier)", n, n));
                             return std::make_unique<FixedExitPolicy>(static_cast<std::size_t>(exit));
                           });
}

} // namespace edgesim
