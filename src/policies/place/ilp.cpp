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
#include "policies/place/ilp.hpp"

#include "policies/builtin.hpp"
#include "util/glpk_support.hpp"

#include <fmt/format.h>
#include <glpk.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>

namespace edgesim::place {
namespace {

class PlacementIlp {
public:
  PlacementIlp(const PlacementProblem& problem, std::span<const std::size_t> candidates)
      : problem_(problem), candidates_(candidates.begin(), candidates.end()), lp_(glp_create_prob()) {
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
      glp_set_col_bnds(lp, t_col_, GLP_DB, 0.0, t_bound);
    else
      glp_set_col_bnds(lp, t_col_, GLP_LO, 0.0, 0.0);
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

  [[nodiscard]] std::vector<Fragment> fragments() const {
    std::vector<Fragment> out;
    for (std::size_t l = 0; l < layers(); ++l) {
      for (std::size_t n = 0; n < candidates_.size(); ++n) {
        if (glp_mip_col_val(lp_.get(), x(l, n)) < 0.5)
          continue;
        const std::string& name = problem_.hosts[candidates_[n]].name;
        if (!out.empty() && out.back().host == name)
          out.back().last_layer = l;
        else
          out.push_back(Fragment{l, l, name});
      }
    }
    return out;
  }

private:
  [[nodiscard]] std::size_t layers() const { return problem_.model.layers.size(); }
  [[nodiscard]] int x(std::size_t l, std::size_t n) const { return static_cast<int>(1 + l * candidates_.size() + n); }
  [[nodiscard]] const HostInfo& node(std::size_t n) const { return problem_.hosts[candidates_[n]]; }

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
    const ModelProfile& model = problem_.model;
    const std::size_t nodes = candidates_.size();
    glp_set_obj_dir(lp_.get(), GLP_MIN);
    for (std::size_t l = 0; l < layers(); ++l)
      for (std::size_t n = 0; n < nodes; ++n)
        add_col(GLP_BV, 0, 1);
    t_col_ = add_col(GLP_CV, 0, 0);
    std::vector<std::vector<std::pair<int, double>>> node_load(nodes); // T >= compute on n
    for (std::size_t l = 0; l < layers(); ++l) {
      std::vector<std::pair<int, double>> assignment;
      for (std::size_t n = 0; n < nodes; ++n) {
        assignment.emplace_back(x(l, n), 1.0);
        const double compute = layer_seconds(model, l, node(n));
        latency_terms_.emplace_back(x(l, n), compute);
        node_load[n].emplace_back(x(l, n), -compute);
      }
      add_row(assignment, GLP_FX, 1, 1);
    }
    for (std::size_t n = 0; n < nodes; ++n) {
      node_load[n].emplace_back(t_col_, 1.0);
      add_row(node_load[n], GLP_LO, 0, 0);
      // Input upload from the source to the node holding layer 0.
      const auto upload = transfer_time(problem_, problem_.source_host, node(n).name, cut_bytes(problem_, 0));
      if (!upload) {
        glp_set_col_bnds(lp_.get(), x(0, n), GLP_FX, 0, 0);
        continue;
      }
      latency_terms_.emplace_back(x(0, n), *upload);
      const double stage = *transfer_time(problem_, problem_.source_host, node(n).name, cut_bytes(problem_, 0), false);
      add_row({{t_col_, 1.0}, {x(0, n), -stage}}, GLP_LO, 0, 0);
    }
    // Memory.
    for (std::size_t n = 0; n < nodes; ++n) {
      if (node(n).ram_bytes <= 0)
        continue;
      const int largest = add_col(GLP_CV, 0, 0);
      std::vector<std::pair<int, double>> memory{{largest, 1.0}};
      for (std::size_t l = 0; l < layers(); ++l) {
        memory.emplace_back(x(l, n), model.layers[l].param_bytes);
        const double input = l == 0 ? model.input_bytes : model.layers[l - 1].out_bytes;
        add_row({{largest, 1.0}, {x(l, n), -std::max(input, model.layers[l].out_bytes)}}, GLP_LO, 0, 0);
      }
      add_row(memory, GLP_UP, 0, node(n).ram_bytes);
    }
    // Precedence: one contiguous run of layers per node.
    for (std::size_t n = 0; n < nodes; ++n) {
      std::vector<std::pair<int, double>> starts;
      for (std::size_t l = 0; l < layers(); ++l) {
        const int start = add_col(GLP_CV, 0, 1);
        starts.emplace_back(start, 1.0);
        if (l == 0)
          add_row({{start, 1.0}, {x(l, n), -1.0}}, GLP_LO, 0, 0);
        else
          add_row({{start, 1.0}, {x(l, n), -1.0}, {x(l - 1, n), 1.0}}, GLP_LO, 0, 0);
      }
      add_row(starts, GLP_UP, 0, 1);
    }
    // Network: transfers between consecutive layers on different nodes.
    for (std::size_t l = 0; l + 1 < layers(); ++l) {
      const double bytes = cut_bytes(problem_, l + 1);
      for (std::size_t n = 0; n < nodes; ++n) {
        for (std::size_t m = 0; m < nodes; ++m) {
          if (n == m)
            continue;
          const auto transfer = transfer_time(problem_, node(n).name, node(m).name, bytes);
          if (!transfer) {
            add_row({{x(l, n), 1.0}, {x(l + 1, m), 1.0}}, GLP_UP, 0, 1);
            continue;
          }
          const int y = add_col(GLP_CV, 0, 1);
          add_row({{y, 1.0}, {x(l, n), -1.0}, {x(l + 1, m), -1.0}}, GLP_LO, -1, 0);
          latency_terms_.emplace_back(y, *transfer);
          add_row({{t_col_, 1.0}, {y, -*transfer_time(problem_, node(n).name, node(m).name, bytes, false)}}, GLP_LO, 0,
                  0);
        }
      }
    }
  }

  const PlacementProblem& problem_;
  std::vector<std::size_t> candidates_;
  GlpProblem lp_;
  int t_col_ = 0;
  std::vector<std::pair<int, double>> latency_terms_; // objective coefficients of the latency
};

class IlpPlacement final : public PlacementPolicy {
public:
  explicit IlpPlacement(const ConfigView& config)
      : objective_(chain_objective(config)), host_names_(host_names(config)),
        time_limit_s_(config.get_seconds("time_limit", 10.0)), where_(config.where("policy")),
        hosts_where_(config.where("hosts")), limit_where_(config.where("time_limit")) {
    if (!(time_limit_s_ > 0) || !std::isfinite(time_limit_s_))
      config.fail("time_limit", "a positive duration (\"10s\")");
  }

  std::vector<Fragment> place(const PlacementProblem& problem) override {
    const auto candidates = candidate_hosts(problem, host_names_, hosts_where_);
    IlpSolution solution;
    try {
      solution = solve_placement_ilp(problem, objective_, candidates, time_limit_s_);
    } catch (const RuntimeError& e) {
      throw RuntimeError(fmt::format("{}: {}", limit_where_, e.what()));
    }
    if (solution.fragments.empty())
      throw_infeasible(problem, "ilp", where_, candidates);
    return solution.fragments;
  }

private:
  ChainObjective objective_;
  std::vector<std::string> host_names_;
  double time_limit_s_;
  std::string where_;
  std::string hosts_where_;
  std::string limit_where_;
};

} // namespace

IlpSolution solve_placement_ilp(const PlacementProblem& problem, ChainObjective objective,
                                std::span<const std::size_t> candidates, double time_limit_s) {
  IlpSolution solution;
  if (candidates.empty() || problem.model.layers.empty())
    return solution;
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  PlacementIlp ilp(problem, candidates);
  auto outcome = ilp.solve(objective, time_limit_s, std::numeric_limits<double>::infinity());
  if (outcome == PlacementIlp::Outcome::Infeasible)
    return solution;
  if (outcome == PlacementIlp::Outcome::NoIncumbent)
    throw RuntimeError(fmt::format("the ILP reached its time limit of {} s without a feasible placement "
                                   "(raise time_limit, or use chain-dp)",
                                   time_limit_s));
  solution.fragments = ilp.fragments();
  solution.proven_optimal = outcome == PlacementIlp::Outcome::Optimal;
  if (objective == ChainObjective::Throughput && solution.proven_optimal && elapsed() < time_limit_s) {
    const double bottleneck = ilp.objective_value();
    // The fastest placement whose stages stay within the optimal bottleneck.
    if (ilp.solve(ChainObjective::Latency, time_limit_s - elapsed(), bottleneck * (1 + 1e-9)) ==
        PlacementIlp::Outcome::Optimal)
      solution.fragments = ilp.fragments();
  }
  solution.solve_seconds = elapsed();
  return solution;
}

} // namespace edgesim::place

namespace edgesim {

void register_place_ilp(Registry& registry) {
  registry.add_placement_policy(
      "ilp",
      "integer linear program (Disabato et al. 2021) solved with GLPK: layer->node binaries under memory, "
      "precedence, network and processing constraints; objective = latency | throughput, time_limit (10s)",
      [](const PlacementPolicyArgs& args) -> std::unique_ptr<PlacementPolicy> {
        args.config.require_only({"policy", "objective", "hosts", "time_limit"});
        return std::make_unique<place::IlpPlacement>(args.config);
      });
}

} // namespace edgesim
