#!/usr/bin/python3
"""Sweep exit policies over arrival rates and plot accuracy, loss, latency and energy.

For every policy x arrival rate x replication the simulator is run as

    $EDGESIM_BINARY run SCENARIO --json -q --no-trace -o TMP.h5 --seed S
        --set simulation.duration=D --set 'exits={policy="...", ...}'
        --set tenants.K.arrival.rate=RATE   (every tenant K)

and the "all" row of its JSON summary is kept. The rate is per tenant: every tenant
gets the same rate. A tenant with its own `exits` table in the scenario gets
`tenants.K.exits` overridden instead of the global `exits`.

Writes OUT.csv (one row per policy and rate: mean and 95 % Student-t half-width over
the replications of each metric) and OUT.png (one figure, panels sharing the rate
axis, one line per policy with its confidence band). A failing run is reported on
stderr and skipped; the exit code is then 1.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

# Settings given to each policy (the `exits` table besides `policy`). Tuned for
# scenarios/chainnet-testbed.toml: 1 s SLO and about 0.3-0.6 s end-to-end latency at
# light load, so the criteria rule stops waiting for confidence once the SLO is missed.
POLICY_DEFAULTS: dict[str, dict] = {
    "none": {},
    "fixed-exit": {"exit": 0},
    "threshold": {"thresholds": 0.8},
    "knapsack": {"budget": "mean"},       # as in docs/img/policy_sweep; the default is "quantile"
    "ucb": {},                            # arms 0.5..0.95, exploration sqrt(2), cost 0.1
    "criteria": {"rule": "confidence > 0.8 OR response_time > 1s"},
    "queueing-lp": {"max_loss": 0.05},
    "pareto": {"objective": "balanced"},
}

DEFAULT_POLICIES = "none,threshold,knapsack,ucb,criteria,queueing-lp,pareto"
DEFAULT_RATE_KEY = "tenants.*.arrival.rate"

# Metrics kept from the JSON "all" row.
METRICS = ("effective_accuracy", "accuracy", "loss_ratio", "latency_mean",
           "latency_p95", "energy_per_served_j")

# Panels of the figure: (metric, y label, log scale allowed: used when the means span
# more than LOG_SPAN).
PANELS = (
    ("effective_accuracy", "effective accuracy\n(correct / offered)", False),
    ("loss_ratio", "loss ratio", False),
    ("latency_mean", "mean latency [s]", True),
    ("energy_per_served_j", "energy per served request [J]", True),
)

# Student-t 0.975 quantiles for 1..30 degrees of freedom.
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
         2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
         2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042)


def t975(dof: int) -> float:
    """Two-sided 95 % Student-t quantile for `dof` degrees of freedom (>= 1)."""
    if dof < 1:
        return math.nan
    if dof <= len(_T975):
        return _T975[dof - 1]
    return 1.960 + 2.4 / dof  # within 0.002 of the exact value for dof > 30


# ----------------------------------------------------------------- TOML values

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def toml_value(value) -> str:
    """A Python value as a TOML inline value (str, bool, int, float, list, dict)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a finite number: {value}")
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}"
                               for k, v in value.items()) + "}"
    raise TypeError(f"no TOML form for {type(value).__name__}")


def toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key)


def parse_toml_value(text: str):
    """VALUE as the simulator reads it: TOML if it parses, else the plain string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def exits_table(policy: str, defaults: dict[str, dict] = POLICY_DEFAULTS) -> str:
    """The inline `exits` table for `policy` with its settings."""
    table = {"policy": policy}
    table.update(defaults.get(policy, {}))
    return toml_value(table)


# ----------------------------------------------------------------- scenario / commands

@dataclass
class ScenarioInfo:
    n_tenants: int
    tenant_names: list[str]
    own_exits: list[bool]           # tenant K has its own `exits` table
    has_rate: list[bool]            # tenant K's arrival has a `rate` key


def read_scenario(path) -> ScenarioInfo:
    with open(path, "rb") as f:
        doc = tomllib.load(f)
    tenants = doc.get("tenants", [])
    if not isinstance(tenants, list) or not tenants:
        raise ValueError(f"{path}: no [[tenants]]")
    names, own, has_rate = [], [], []
    for k, t in enumerate(tenants):
        names.append(str(t.get("name", f"tenant-{k}")))
        own.append(isinstance(t.get("exits"), dict))
        arrival = t.get("arrival")
        has_rate.append(isinstance(arrival, dict) and "rate" in arrival)
    return ScenarioInfo(len(tenants), names, own, has_rate)


def exits_overrides(info: ScenarioInfo, policy: str,
                    defaults: dict[str, dict] = POLICY_DEFAULTS) -> list[str]:
    """--set assignments selecting `policy`: tenants with their own `exits` get
    tenants.K.exits, the others follow the global `exits` table."""
    table = exits_table(policy, defaults)
    sets = []
    if not all(info.own_exits):
        sets.append(f"exits={table}")
    sets += [f"tenants.{k}.exits={table}" for k, own in enumerate(info.own_exits) if own]
    return sets


def rate_overrides(info: ScenarioInfo, rate: float,
                   rate_key: str = DEFAULT_RATE_KEY) -> list[str]:
    """One assignment per tenant; '*' in `rate_key` stands for the tenant index
    (a key without '*' is set once)."""
    value = toml_value(float(rate))
    if "*" not in rate_key:
        return [f"{rate_key}={value}"]
    return [f"{rate_key.replace('*', str(k))}={value}" for k in range(info.n_tenants)]


def build_command(binary, scenario, info: ScenarioInfo, policy: str, rate: float,
                  seed: int, out_h5, duration: str | None = "120s",
                  rate_key: str = DEFAULT_RATE_KEY,
                  defaults: dict[str, dict] = POLICY_DEFAULTS) -> list[str]:
    cmd = [str(binary), "run", str(scenario), "--json", "-q", "--no-trace",
           "-o", str(out_h5), "--seed", str(seed)]
    sets = []
    if duration:
        sets.append(f"simulation.duration={toml_value(duration)}")
    sets += exits_overrides(info, policy, defaults)
    sets += rate_overrides(info, rate, rate_key)
    for s in sets:
        cmd += ["--set", s]
    return cmd


# ----------------------------------------------------------------- running

@dataclass
class RunResult:
    policy: str
    rate: float
    rep: int
    ok: bool
    values: dict = field(default_factory=dict)   # metric -> float (NaN if missing)
    error: str = ""
    wall_s: float = 0.0


def _number(x) -> float:
    try:
        return float(x) if x is not None else math.nan
    except (TypeError, ValueError):
        return math.nan


def parse_summary(text: str) -> dict:
    """The METRICS of the "all" row of `edgesim run --json` output."""
    # The simulator may print NaN / Infinity for undefined means; Python's json
    # accepts those tokens.
    doc = json.loads(text)
    row = doc["all"]
    return {m: _number(row.get(m)) for m in METRICS}


def run_one(cmd: list[str], policy: str, rate: float, rep: int,
            timeout: float | None = None) -> RunResult:
    t0 = time.monotonic()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return RunResult(policy, rate, rep, False, error=f"timed out after {timeout} s",
                         wall_s=time.monotonic() - t0)
    except OSError as e:
        return RunResult(policy, rate, rep, False, error=str(e),
                         wall_s=time.monotonic() - t0)
    wall = time.monotonic() - t0
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        msg = lines[-1] if lines else "(no message)"
        return RunResult(policy, rate, rep, False,
                         error=f"exit code {proc.returncode}: {msg}", wall_s=wall)
    try:
        values = parse_summary(proc.stdout)
    except (ValueError, KeyError, TypeError) as e:
        return RunResult(policy, rate, rep, False, error=f"unreadable JSON: {e}",
                         wall_s=wall)
    return RunResult(policy, rate, rep, True, values=values, wall_s=wall)


def sweep(binary, scenario, policies, rates, reps, jobs, duration="120s",
          rate_key=DEFAULT_RATE_KEY, defaults=POLICY_DEFAULTS, seed_base=1,
          timeout=None, progress=None) -> list[RunResult]:
    """Runs every policy x rate x replication (seed = seed_base + rep)."""
    info = read_scenario(scenario)
    results = []
    with tempfile.TemporaryDirectory(prefix="policy_sweep_") as tmp:
        tasks = []
        for policy in policies:
            for i, rate in enumerate(rates):
                for rep in range(reps):
                    out_h5 = Path(tmp) / f"{policy}_{i}_{rep}.h5"
                    cmd = build_command(binary, scenario, info, policy, rate,
                                        seed_base + rep, out_h5, duration, rate_key,
                                        defaults)
                    tasks.append((cmd, policy, rate, rep))
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = [pool.submit(run_one, cmd, p, r, k, timeout)
                       for cmd, p, r, k in tasks]
            for n, fut in enumerate(concurrent.futures.as_completed(futures), 1):
                res = fut.result()
                results.append(res)
                if progress:
                    progress(n, len(tasks), res)
    order = {(p, r, k): i for i, (_, p, r, k) in enumerate(tasks)}
    results.sort(key=lambda x: order[(x.policy, x.rate, x.rep)])
    return results


# ----------------------------------------------------------------- aggregation

def mean_ci(values) -> tuple[float, float, int]:
    """Mean, 95 % Student-t half-width and count of the finite values
    (half-width NaN with fewer than two values)."""
    x = np.asarray([v for v in values if v is not None and math.isfinite(v)], float)
    n = x.size
    if n == 0:
        return math.nan, math.nan, 0
    if n == 1:
        return float(x[0]), math.nan, 1
    return float(x.mean()), t975(n - 1) * float(x.std(ddof=1)) / math.sqrt(n), n


def aggregate(results: list[RunResult], policies=None, rates=None) -> list[dict]:
    """One row per (policy, rate) in sweep order: reps (successful runs), failed,
    and METRIC_mean / METRIC_ci95 for each metric."""
    if policies is None:
        policies = list(dict.fromkeys(r.policy for r in results))
    if rates is None:
        rates = sorted({r.rate for r in results})
    rows = []
    for policy in policies:
        for rate in rates:
            group = [r for r in results if r.policy == policy and r.rate == rate]
            ok = [r for r in group if r.ok]
            row = {"policy": policy, "rate": float(rate), "reps": len(ok),
                   "failed": len(group) - len(ok)}
            for m in METRICS:
                mean, ci, _ = mean_ci([r.values.get(m, math.nan) for r in ok])
                row[f"{m}_mean"] = mean
                row[f"{m}_ci95"] = ci
            rows.append(row)
    return rows


CSV_FIELDS = ["policy", "rate", "reps", "failed"] + [
    f"{m}_{s}" for m in METRICS for s in ("mean", "ci95")]


def _fmt(v) -> str:
    if isinstance(v, float):
        return "nan" if math.isnan(v) else f"{v:.6g}"
    return str(v)


def write_csv(rows: list[dict], path) -> None:
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(CSV_FIELDS)
        for row in rows:
            w.writerow([_fmt(row.get(k, math.nan)) for k in CSV_FIELDS])


def read_csv(path) -> list[dict]:
    rows = []
    with open(path, newline="") as f:
        for rec in csv.DictReader(f):
            row = {"policy": rec["policy"]}
            for k, v in rec.items():
                if k == "policy":
                    continue
                row[k] = int(v) if k in ("reps", "failed") else float(v)
            rows.append(row)
    return rows


def write_runs_csv(results: list[RunResult], path) -> None:
    """Every replication: policy, rate, rep, ok, metrics, error."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["policy", "rate", "rep", "ok", *METRICS, "wall_s", "error"])
        for r in results:
            w.writerow([r.policy, _fmt(float(r.rate)), r.rep, int(r.ok),
                        *[_fmt(r.values.get(m, math.nan)) for m in METRICS],
                        f"{r.wall_s:.3f}", r.error])


# ----------------------------------------------------------------- plotting

_MARKERS = "osD^v<>PX*h"


def _mantissa(v: float) -> int:
    """Leading digit of a positive tick value (0 for others)."""
    if not (v > 0 and math.isfinite(v)):
        return 0
    return int(round(v / 10 ** math.floor(math.log10(v) + 1e-9)))

LOG_SPAN = 8.0


def plot(rows: list[dict], path, title: str | None = None, panels=PANELS,
         log_y: bool | None = None) -> None:
    """One figure, 2 x 2 panels sharing the rate axis; a line per policy with its
    95 % band. `log_y=None`: a panel that allows it gets a log scale when its means
    span more than LOG_SPAN; True / False force it for those panels."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    policies = list(dict.fromkeys(r["policy"] for r in rows))
    ncols = 2
    nrows = math.ceil(len(panels) / ncols)
    fig, axes = plt.subplots(nrows, ncols, sharex=True, figsize=(10, 3.1 * nrows + 0.9),
                             squeeze=False)
    colors = plt.get_cmap("tab10").colors
    flat = axes.ravel()
    for ax, (metric, label, can_log) in zip(flat, panels):
        for i, policy in enumerate(policies):
            pr = sorted((r for r in rows if r["policy"] == policy), key=lambda r: r["rate"])
            x = np.array([r["rate"] for r in pr], float)
            y = np.array([r[f"{metric}_mean"] for r in pr], float)
            ci = np.array([r[f"{metric}_ci95"] for r in pr], float)
            c = colors[i % len(colors)]
            ax.plot(x, y, marker=_MARKERS[i % len(_MARKERS)], ms=4, lw=1.4, color=c,
                    label=policy)
            band = np.isfinite(y) & np.isfinite(ci)
            if band.any():
                lo, hi = y - ci, y + ci
                if can_log:
                    lo = np.maximum(lo, y * 0.5)
                ax.fill_between(x, np.where(band, lo, np.nan), np.where(band, hi, np.nan),
                                color=c, alpha=0.18, lw=0)
        if can_log:
            vals = np.array([r[f"{metric}_mean"] for r in rows], float)
            vals = vals[np.isfinite(vals) & (vals > 0)]
            use_log = log_y if log_y is not None else (
                vals.size > 0 and vals.max() / vals.min() > LOG_SPAN)
            if use_log:
                ax.set_yscale("log")
                plain = FuncFormatter(lambda v, _: f"{v:g}")
                ax.yaxis.set_major_formatter(plain)
                ax.yaxis.set_minor_formatter(FuncFormatter(
                    lambda v, _: f"{v:g}" if _mantissa(v) in (2, 5) else ""))
        if metric == "loss_ratio":
            ax.set_ylim(bottom=-0.02)
        ax.set_ylabel(label)
        ax.grid(True, alpha=0.3)
    for ax in flat[len(panels):]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("arrival rate per tenant [requests/s]")
        ax.xaxis.set_tick_params(labelbottom=True)
    handles, labels = flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=min(len(labels), 7),
               frameon=False, fontsize=9)
    if title:
        fig.suptitle(title, y=0.995, fontsize=10)
        fig.tight_layout(rect=(0, 0, 1, 0.92))
    else:
        fig.tight_layout(rect=(0, 0, 1, 0.94))
    fig.savefig(path, dpi=90)
    plt.close(fig)


# ----------------------------------------------------------------- CLI

def _floats(text: str) -> list[float]:
    try:
        vals = [float(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers: {text!r}")
    if not vals or any(v < 0 or not math.isfinite(v) for v in vals):
        raise argparse.ArgumentTypeError(f"expected non-negative rates: {text!r}")
    return vals


def _names(text: str) -> list[str]:
    names = [t.strip() for t in text.split(",") if t.strip()]
    if not names:
        raise argparse.ArgumentTypeError("expected at least one policy")
    return names


def apply_params(defaults: dict[str, dict], params: list[str]) -> dict[str, dict]:
    """Applies --param POLICY.KEY=VALUE overrides (VALUE read as TOML, else a string)."""
    out = {p: dict(v) for p, v in defaults.items()}
    for spec in params:
        m = re.match(r"^([^.=]+)\.([^=]+)=(.*)$", spec, re.S)
        if not m:
            raise ValueError(f"--param {spec!r}: expected POLICY.KEY=VALUE")
        out.setdefault(m.group(1), {})[m.group(2)] = parse_toml_value(m.group(3))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="policy_sweep",
        description="Sweep exit policies over per-tenant arrival rates with edgesim.")
    ap.add_argument("scenario")
    ap.add_argument("--rates", type=_floats, default=_floats("0.5,1,1.5,2,3"),
                    help="arrival rates per tenant, comma-separated (default 0.5,1,1.5,2,3)")
    ap.add_argument("--policies", type=_names, default=_names(DEFAULT_POLICIES),
                    help=f"exit policies, comma-separated (default {DEFAULT_POLICIES})")
    ap.add_argument("--tenant-rate-key", default=DEFAULT_RATE_KEY,
                    help="key set to the rate; '*' is the tenant index "
                         f"(default {DEFAULT_RATE_KEY})")
    ap.add_argument("--reps", type=int, default=3, help="replications (seeds) per point")
    ap.add_argument("--seed-base", type=int, default=1,
                    help="replication r uses seed SEED_BASE + r (default 1)")
    ap.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                    help="simulations run in parallel (default: CPU count)")
    ap.add_argument("--duration", default="120s",
                    help="simulation.duration of every run (default 120s; '' keeps the scenario's)")
    ap.add_argument("--param", action="append", default=[], metavar="POLICY.KEY=VALUE",
                    help="override a policy setting, e.g. criteria.rule='confidence > 0.9'")
    ap.add_argument("--timeout", type=float, default=None, help="seconds per run")
    ap.add_argument("--title", default=None, help="figure title")
    ap.add_argument("--runs-csv", default=None, help="also write every replication here")
    ap.add_argument("-o", "--out", required=True, help="output prefix: OUT.csv and OUT.png")
    ap.add_argument("--from-csv", default=None, metavar="CSV",
                    help="only redraw OUT.png from a CSV this script wrote (no runs)")
    ap.add_argument("-v", "--verbose", action="store_true", help="one line per finished run")
    args = ap.parse_args(argv)

    if args.from_csv:
        out = Path(args.out)
        png_path = out.with_name(out.name + ".png")
        plot(read_csv(args.from_csv), png_path, args.title)
        print(png_path)
        return 0
    if args.reps < 1 or args.jobs < 1:
        ap.error("--reps and --jobs must be >= 1")
    binary = os.environ.get("EDGESIM_BINARY") or "./build/edgesim"
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        print(f"policy_sweep: error: {binary}: not an executable (set EDGESIM_BINARY)",
              file=sys.stderr)
        return 2
    try:
        info = read_scenario(args.scenario)
        defaults = apply_params(POLICY_DEFAULTS, args.param)
    except (OSError, ValueError, tomllib.TOMLDecodeError) as e:
        print(f"policy_sweep: error: {e}", file=sys.stderr)
        return 2
    if args.tenant_rate_key == DEFAULT_RATE_KEY:
        missing = [n for n, ok in zip(info.tenant_names, info.has_rate) if not ok]
        if missing:
            print(f"policy_sweep: error: tenants without arrival.rate: {', '.join(missing)}"
                  " (use --tenant-rate-key)", file=sys.stderr)
            return 2
    unknown = [p for p in args.policies if p not in defaults]
    if unknown:
        print(f"policy_sweep: note: no default settings for {', '.join(unknown)}; "
              "running them with the policy's own defaults", file=sys.stderr)

    def progress(n, total, res):
        if not res.ok:
            print(f"policy_sweep: run failed: policy={res.policy} rate={res.rate:g} "
                  f"rep={res.rep}: {res.error}", file=sys.stderr)
        elif args.verbose:
            print(f"[{n}/{total}] {res.policy} rate={res.rate:g} rep={res.rep} "
                  f"{res.wall_s:.1f}s", file=sys.stderr)

    t0 = time.monotonic()
    results = sweep(binary, args.scenario, args.policies, args.rates, args.reps,
                    args.jobs, args.duration or None, args.tenant_rate_key, defaults,
                    args.seed_base, args.timeout, progress)
    wall = time.monotonic() - t0
    rows = aggregate(results, args.policies, args.rates)
    out = Path(args.out)
    if out.parent and not out.parent.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
    csv_path = out.with_name(out.name + ".csv")
    png_path = out.with_name(out.name + ".png")
    write_csv(rows, csv_path)
    if args.runs_csv:
        write_runs_csv(results, args.runs_csv)
    plot(rows, png_path, args.title)
    failed = sum(not r.ok for r in results)
    print(f"policy_sweep: {len(results)} runs, {failed} failed, {wall:.1f} s wall "
          f"({args.jobs} jobs)", file=sys.stderr)
    print(csv_path)
    print(png_path)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
