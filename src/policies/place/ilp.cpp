// `ilp`: the placement as an integer linear program in the style of Disabato, Roveri &
// Alippi (IEEE Trans. Computers 2021): binary layer -> node variables x[l][n] with
//   assignment   sum_n x[l][n] = 1
//   memory       sum_l param_l x[l][n] + a[n] <= RAM_n,  a[n] >= activation_l x[l][n]
//                (a[n]: the largest activation the node holds, as fragment_memory_bytes)
//   precedence   the layers a node holds are contiguous in the chain: s[l][n] >=
//                x[l][n] - x[l-1][n] marks where a run on n starts and sum_l s[l][n] <= 1
//                (one fragment per node, a path through the platform)
//   network      y[l][n][m] >= x[l][n] + x[l+1][m] - 1 is the transfer of layer l's
//                activation from n to m; x[l][n] + x[l+1][m] <= 1 when no route n -> m
//   processing   (throughput) T >= sum_l t[l][n] x[l][n] and T >= bytes/bandwidth of
//                every transfer, minimise T
// minimising the end-to-end latency (compute + transfers, the source's input upload
// included) or T. The throughput objective is solved a second time for the fastest
// placement with T at its optimum, as chain-dp breaks ties. GLPK's `tm_lim` enforces
// `time_limit` over both solves.
//
// Joint placement (joint_placement.hpp) stacks one copy of these variables per tenant
// and shares the hosts: the memory row sums every tenant's fragment, a node's
// utilisation sum_t rate_t sum_l t[t][l][n] x[t][l][n] is at most max_utilisation and at
// most T, and a route's T row sums rate x bytes/bandwidth over every transfer it
// carries; the latency objective is the rate-weighted mean. Re-planning one tenant
// among fixed co-tenants is the same program with their load as constants.
#include "policies/place/ilp.hpp"

#include "policies/builtin.hpp"
#include "policies/place/joint_placement.hpp"
#include "util/glpk_support.hpp"

#include <fmt/format.h>
#include <glpk.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <utility>

namespace edgesim::place {
namespace {

/// How the tenants of one program share the hosts; absent for one tenant placed alone.
struct SharedHosts {
  double max_utilisation = 1;
  const CoTenantLoad* fixed = nullptr; // co-tenants whose placement stays
};

class PlacementIlp {
public:
  PlacementIlp(std::span<const PlacementProblem> problems, std::span<const std::size_t> candidates,
               std::optional<SharedHosts> shared)
      : problems_(problems), candidates_(candidates.begin(), candidates.end()), shared_(shared),
        lp_(glp_create_prob()) {
    std::size_t offset = 0;
    double total_rate = 0;
    for (const PlacementProblem& problem : problems_) {
      x_offset_.push_back(offset);
      offset += problem.model.layers.size() * candidates_.size();
      total_rate += problem.workload.arrival_rate;
    }
    for (const PlacementProblem& problem : problems_) {
      // Alone: seconds as they are. Shared: latency weighted by the share of requests,
      // stages are utilisations (rate x seconds).
      latency_weight_.push_back(shared_ ? problem.workload.arrival_rate / total_rate : 1.0);
      load_weight_.push_back(shared_ ? problem.workload.arrival_rate : 1.0);
    }
    if (shared_ && shared_->fixed != nullptr)
      t_floor_ = shared_->fixed->peak();
    build();
  }

  enum class Outcome { Optimal, Incumbent, Infeasible, NoIncumbent };

  /// Minimises the objective; `t_bound` caps T (second pass of the throughput objective).
  Outcome solve(ChainObjective objective, double time_limit_s, double t_bound) {
    glp_prob* lp = lp_.get();
    for (int c = 1; c <= glp_get_num_cols(lp); ++c)
      glp_set_obj_coef(lp, c, 0.0);
    if (objective == ChainObjective::Latency) {
      for (const auto& [col, cost] : latency_terms_)
        glp_set_obj_coef(lp, col, glp_get_obj_coef(lp, col) + cost);
    } else {
      glp_set_obj_coef(lp, t_col_, 1.0);
    }
    if (std::isfinite(t_bound))
      glp_set_col_bnds(lp, t_col_, GLP_DB, t_floor_, std::max(t_floor_, t_bound));
    else
      glp_set_col_bnds(lp, t_col_, GLP_LO, t_floor_, 0.0);
    glp_iocp params;
    glp_init_iocp(&params);
    params.presolve = GLP_ON;
    params.msg_lev = GLP_MSG_OFF;
    params.tm_lim = static_cast<int>(std::clamp(time_limit_s * 1000.0, 1.0, 2e9));
    const GlpQuiet quiet;
    const int ret = glp_intopt(lp, &params);
    const int status = glp_mip_status(lp);
    if (ret == GLP_ENOPFS || ret == GLP_ENODFS || status == GLP_NOFEAS)
      return Outcome::Infeasible;
    if (ret == GLP_ETMLIM)
      return status == GLP_FEAS || status == GLP_OPT ? Outcome::Incumbent : Outcome::NoIncumbent;
    if (ret != 0 || status != GLP_OPT)
      throw RuntimeError(
          fmt::format("GLPK failed on the placement ILP (glp_intopt returned {}, status {})", ret, status));
    return Outcome::Optimal;
  }

  [[nodiscard]] double objective_value() const { return glp_mip_obj_val(lp_.get()); }

  [[nodiscard]] std::vector<std::vector<Fragment>> plans() const {
    std::vector<std::vector<Fragment>> out;
    for (std::size_t t = 0; t < problems_.size(); ++t)
      out.push_back(fragments(t));
    return out;
  }

private:
  [[nodiscard]] std::vector<Fragment> fragments(std::size_t t) const {
    std::vector<Fragment> out;
    for (std::size_t l = 0; l < layers(t); ++l) {
      for (std::size_t n = 0; n < candidates_.size(); ++n) {
        if (glp_mip_col_val(lp_.get(), x(t, l, n)) < 0.5)
          continue;
        const std::string& name = problems_[t].hosts[candidates_[n]].name;
        if (!out.empty() && out.back().host == name)
          out.back().last_layer = l;
        else
          out.push_back(Fragment{l, l, name});
      }
    }
    return out;
  }

  [[nodiscard]] std::size_t layers(std::size_t t) const { return problems_[t].model.layers.size(); }
  [[nodiscard]] int x(std::size_t t, std::size_t l, std::size_t n) const {
    return static_cast<int>(1 + x_offset_[t] + l * candidates_.size() + n);
  }
  [[nodiscard]] const HostInfo& node(std::size_t n) const { return problems_.front().hosts[candidates_[n]]; }
  [[nodiscard]] const HostLoad* fixed_load(std::size_t n) const {
    const CoTenantLoad* fixed = shared_ ? shared_->fixed : nullptr;
    return fixed != nullptr && candidates_[n] < fixed->hosts.size() ? &fixed->hosts[candidates_[n]] : nullptr;
  }
  // A shared route's T row: rate x bytes/bandwidth of each transfer over it.
  void add_route_term(std::string_view from, std::string_view to, int col, double stage_seconds, std::size_t t) {
    route_terms_[{std::string(from), std::string(to)}].emplace_back(col, -load_weight_[t] * stage_seconds);
  }

  int add_col(int kind, double lower, double upper) {
    const int col = glp_add_cols(lp_.get(), 1);
    glp_set_col_kind(lp_.get(), col, kind);
    glp_set_col_bnds(lp_.get(), col, upper > lower ? GLP_DB : GLP_LO, lower, upper);
    return col;
  }

  // sum coefficient * column  (bound type, lower, upper)
  void add_row(const std::vector<std::pair<int, double>>& terms, int type, double lower, double upper) {
    const int row = glp_add_rows(lp_.get(), 1);
    std::vector<int> index{0};
    std::vector<double> value{0.0};
    for (const auto& [col, coefficient] : terms) {
      index.push_back(col);
      value.push_back(coefficient);
    }
    glp_set_mat_row(lp_.get(), row, static_cast<int>(terms.size()), index.data(), value.data());
    glp_set_row_bnds(lp_.get(), row, type, lower, upper);
  }

  void build() {
    const std::size_t nodes = candidates_.size();
    glp_set_obj_dir(lp_.get(), GLP_MIN);
    for (std::size_t t = 0; t < problems_.size(); ++t)
      for (std::size_t l = 0; l < layers(t); ++l)
        for (std::size_t n = 0; n < nodes; ++n)
          add_col(GLP_BV, 0, 1);
    t_col_ = add_col(GLP_CV, 0, 0);
    std::vector<std::vector<std::pair<int, double>>> node_load(nodes); // T >= compute on n
    for (std::size_t t = 0; t < problems_.size(); ++t) {
      const ModelProfile& model = problems_[t].model;
      for (std::size_t l = 0; l < layers(t); ++l) {
        std::vector<std::pair<int, double>> assignment;
        for (std::size_t n = 0; n < nodes; ++n) {
          assignment.emplace_back(x(t, l, n), 1.0);
          const double compute = layer_seconds(model, l, node(n));
          latency_terms_.emplace_back(x(t, l, n), latency_weight_[t] * compute);
          node_load[n].emplace_back(x(t, l, n), -load_weight_[t] * compute);
        }
        add_row(assignment, GLP_FX, 1, 1);
      }
    }
    for (std::size_t n = 0; n < nodes; ++n) {
      const HostLoad* fixed = fixed_load(n);
      if (shared_) {
        // What the node's fragments keep it busy, with the fixed co-tenants' share.
        std::vector<std::pair<int, double>> busy;
        for (const auto& [col, minus_load] : node_load[n])
          busy.emplace_back(col, -minus_load);
        add_row(busy, GLP_UP, 0, shared_->max_utilisation - (fixed != nullptr ? fixed->utilisation : 0.0));
      }
      node_load[n].emplace_back(t_col_, 1.0);
      add_row(node_load[n], GLP_LO, fixed != nullptr ? fixed->utilisation : 0.0, 0);
      for (std::size_t t = 0; t < problems_.size(); ++t) {
        const PlacementProblem& problem = problems_[t];
        // Input upload from the source to the node holding layer 0.
        const auto upload = transfer_time(problem, problem.source_host, node(n).name, cut_bytes(problem, 0));
        if (!upload) {
          glp_set_col_bnds(lp_.get(), x(t, 0, n), GLP_FX, 0, 0);
          continue;
        }
        latency_terms_.emplace_back(x(t, 0, n), latency_weight_[t] * *upload);
        const double stage = *transfer_time(problem, problem.source_host, node(n).name, cut_bytes(problem, 0), false);
        if (shared_)
          add_route_term(problem.source_host, node(n).name, x(t, 0, n), stage, t);
        else
          add_row({{t_col_, 1.0}, {x(t, 0, n), -stage}}, GLP_LO, 0, 0);
      }
    }
    // Memory.
    for (std::size_t n = 0; n < nodes; ++n) {
      if (node(n).ram_bytes <= 0)
        continue;
      std::vector<std::pair<int, double>> memory;
      for (std::size_t t = 0; t < problems_.size(); ++t) {
        const ModelProfile& model = problems_[t].model;
        const int largest = add_col(GLP_CV, 0, 0);
        memory.emplace_back(largest, 1.0);
        for (std::size_t l = 0; l < layers(t); ++l) {
          memory.emplace_back(x(t, l, n), model.layers[l].param_bytes);
          const double input = l == 0 ? model.input_bytes : model.layers[l - 1].out_bytes;
          add_row({{largest, 1.0}, {x(t, l, n), -std::max(input, model.layers[l].out_bytes)}}, GLP_LO, 0, 0);
        }
      }
      const HostLoad* fixed = fixed_load(n);
      add_row(memory, GLP_UP, 0, node(n).ram_bytes - (fixed != nullptr ? fixed->ram_bytes : 0.0));
    }
    // Precedence: one contiguous run of layers per node and tenant.
    for (std::size_t t = 0; t < problems_.size(); ++t) {
      for (std::size_t n = 0; n < nodes; ++n) {
        std::vector<std::pair<int, double>> starts;
        for (std::size_t l = 0; l < layers(t); ++l) {
          const int start = add_col(GLP_CV, 0, 1);
          starts.emplace_back(start, 1.0);
          if (l == 0)
            add_row({{start, 1.0}, {x(t, l, n), -1.0}}, GLP_LO, 0, 0);
          else
            add_row({{start, 1.0}, {x(t, l, n), -1.0}, {x(t, l - 1, n), 1.0}}, GLP_LO, 0, 0);
        }
        add_row(starts, GLP_UP, 0, 1);
      }
    }
    // Network: transfers between consecutive layers on different nodes.
    for (std::size_t t = 0; t < problems_.size(); ++t) {
      const PlacementProblem& problem = problems_[t];
      for (std::size_t l = 0; l + 1 < layers(t); ++l) {
        const double bytes = cut_bytes(problem, l + 1);
        for (std::size_t n = 0; n < nodes; ++n) {
          for (std::size_t m = 0; m < nodes; ++m) {
            if (n == m)
              continue;
            const auto transfer = transfer_time(problem, node(n).name, node(m).name, bytes);
            if (!transfer) {
              add_row({{x(t, l, n), 1.0}, {x(t, l + 1, m), 1.0}}, GLP_UP, 0, 1);
              continue;
            }
            const int y = add_col(GLP_CV, 0, 1);
            add_row({{y, 1.0}, {x(t, l, n), -1.0}, {x(t, l + 1, m), -1.0}}, GLP_LO, -1, 0);
            latency_terms_.emplace_back(y, latency_weight_[t] * *transfer);
            const double stage = *transfer_time(problem, node(n).name, node(m).name, bytes, false);
            if (shared_)
              add_route_term(node(n).name, node(m).name, y, stage, t);
            else
              add_row({{t_col_, 1.0}, {y, -stage}}, GLP_LO, 0, 0);
          }
        }
      }
    }
    // Shared routes: T covers each one's utilisation, the fixed co-tenants' included.
    for (auto& [route, terms] : route_terms_) {
      terms.emplace_back(t_col_, 1.0);
      add_row(terms, GLP_LO, shared_->fixed != nullptr ? shared_->fixed->route(route.first, route.second) : 0.0, 0);
    }
  }

  std::span<const PlacementProblem> problems_;
  std::vector<std::size_t> candidates_;
  std::optional<SharedHosts> shared_;
  GlpProblem lp_;
  int t_col_ = 0;
  double t_floor_ = 0; // T is at least the fixed co-tenants' peak
  std::vector<std::size_t> x_offset_;
  std::vector<double> latency_weight_;
  std::vector<double> load_weight_;
  std::vector<std::pair<int, double>> latency_terms_; // objective coefficients of the latency
  std::map<std::pair<std::string, std::string>, std::vector<std::pair<int, double>>> route_terms_;
};

JointIlpSolution solve_ilp(std::span<const PlacementProblem> problems, ChainObjective objective,
                           std::span<const std::size_t> candidates, double time_limit_s,
                           std::optional<SharedHosts> shared) {
  JointIlpSolution solution;
  if (candidates.empty() || problems.empty())
    return solution;
  for (const PlacementProblem& problem : problems)
    if (problem.model.layers.empty())
      return solution;
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  PlacementIlp ilp(problems, candidates, shared);
  auto outcome = ilp.solve(objective, time_limit_s, std::numeric_limits<double>::infinity());
  if (outcome == PlacementIlp::Outcome::Infeasible)
    return solution;
  if (outcome == PlacementIlp::Outcome::NoIncumbent)
    throw RuntimeError(fmt::format("the ILP reached its time limit of {} s without a feasible placement "
                                   "(raise time_limit, or use chain-dp)",
                                   time_limit_s));
  solution.plans = ilp.plans();
  solution.proven_optimal = outcome == PlacementIlp::Outcome::Optimal;
  if (objective == ChainObjective::Throughput && solution.proven_optimal && elapsed() < time_limit_s) {
    const double bottleneck = ilp.objective_value();
    // The fastest placement whose stages stay within the optimal bottleneck.
    if (ilp.solve(ChainObjective::Latency, time_limit_s - elapsed(), bottleneck * (1 + 1e-9)) ==
        PlacementIlp::Outcome::Optimal)
      solution.plans = ilp.plans();
  }
  solution.solve_seconds = elapsed();
  return solution;
}

class IlpPlacement final : public PlacementPolicy {
public:
  explicit IlpPlacement(const ConfigView& config)
      : objective_(chain_objective(config)), joint_(joint_settings(config)), host_names_(host_names(config)),
        time_limit_s_(config.get_seconds("time_limit", 10.0)), where_(config.where("policy")),
        hosts_where_(config.where("hosts")), limit_where_(config.where("time_limit")),
        joint_where_(config.where("joint")) {
    if (!(time_limit_s_ > 0) || !std::isfinite(time_limit_s_))
      config.fail("time_limit", "a positive duration (\"10s\")");
  }

  std::vector<Fragment> place(const PlacementProblem& problem) override {
    const auto candidates = candidate_hosts(problem, host_names_, hosts_where_);
    const auto plans = solve(std::span(&problem, 1), candidates,
                             problem.co_tenants != nullptr ? std::optional(shared(problem.co_tenants)) : std::nullopt);
    if (plans.empty())
      throw_infeasible(problem, "ilp", where_, candidates);
    return plans.front();
  }

  [[nodiscard]] bool places_jointly() const override { return joint_.joint; }

  std::vector<std::vector<Fragment>> place_jointly(std::span<const PlacementProblem> problems) override {
    check_joint_rates(problems, joint_where_);
    if (problems.empty())
      return {};
    auto plans = solve(problems, candidate_hosts(problems.front(), host_names_, hosts_where_), shared(nullptr));
    if (plans.empty())
      throw_joint_infeasible(problems, "ilp", joint_where_, joint_.max_utilisation);
    return plans;
  }

private:
  [[nodiscard]] SharedHosts shared(const CoTenantLoad* fixed) const {
    return SharedHosts{.max_utilisation = joint_.max_utilisation, .fixed = fixed};
  }

  std::vector<std::vector<Fragment>> solve(std::span<const PlacementProblem> problems,
                                           std::span<const std::size_t> candidates,
                                           std::optional<SharedHosts> shared_hosts) const {
    try {
      return solve_ilp(problems, objective_, candidates, time_limit_s_, shared_hosts).plans;
    } catch (const RuntimeError& e) {
      throw RuntimeError(fmt::format("{}: {}", limit_where_, e.what()));
    }
  }

  ChainObjective objective_;
  JointSettings joint_;
  std::vector<std::string> host_names_;
  double time_limit_s_;
  std::string where_;
  std::string hosts_where_;
  std::string limit_where_;
  std::string joint_where_;
};

} // namespace

IlpSolution solve_placement_ilp(const PlacementProblem& problem, ChainObjective objective,
                                std::span<const std::size_t> candidates, double time_limit_s) {
  const JointIlpSolution joint = solve_ilp(std::span(&problem, 1), objective, candidates, time_limit_s, std::nullopt);
  return IlpSolution{.fragments = joint.plans.empty() ? std::vector<Fragment>{} : joint.plans.front(),
                     .proven_optimal = joint.proven_optimal,
                     .solve_seconds = joint.solve_seconds};
}

JointIlpSolution solve_joint_placement_ilp(std::span<const PlacementProblem> problems, ChainObjective objective,
                                           std::span<const std::size_t> candidates, double time_limit_s,
                                           double max_utilisation) {
  return solve_ilp(problems, objective, candidates, time_limit_s, SharedHosts{.max_utilisation = max_utilisation});
}

} // namespace edgesim::place

namespace edgesim {

void register_place_ilp(Registry& registry) {
  registry.add_placement_policy(
      "ilp",
      "integer linear program (Disabato et al. 2021) solved with GLPK: layer->node binaries under memory, "
      "precedence, network and processing constraints; objective = latency | throughput, time_limit (10s); "
      "joint = true places the tenants sharing [placement] in one program within max_utilisation (1)",
      [](const PlacementPolicyArgs& args) -> std::unique_ptr<PlacementPolicy> {
        args.config.require_only({"policy", "objective", "hosts", "time_limit", "joint", "max_utilisation"});
        return std::make_unique<place::IlpPlacement>(args.config);
      });
}

} // namespace edgesim
