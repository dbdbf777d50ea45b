#!/usr/bin/python3
"""Dělen's three experiments (Liang et al., "Dělen: Enabling Flexible and Adaptive
Model-serving for Multi-tenant Edge AI", IoTDI 2023) on edgesim; docs/delen-studies.md.

    delen_studies.py flexibility  [--reps R] [--jobs J] [-o docs/img/delen_flexibility]
    delen_studies.py battery      [--reps R] [--jobs J] [-o docs/img/delen_battery]
    delen_studies.py multitenancy [--jobs J]            [-o docs/img/delen_multitenancy]

flexibility   scenarios/delen-flexibility.toml: energy per request (dynamic, J) against
              accuracy for oracle, pareto (min-energy at each accuracy target),
              per-workload (each target) and the full model.
battery       scenarios/delen-battery.toml: battery lifetime (/hosts down_at) of the
              full model against battery-adaptive policies, and the state of charge
              over time.
multitenancy  scenarios/delen-multitenancy.toml: two tenants whose CPU shares swap at
              100 s and 200 s; per-tenant latency, loss and accuracy per 10 s window for
              the share-aware threshold policy and the same thresholds applied blindly.

Each writes OUT.csv and OUT.png. The simulator is $EDGESIM_BINARY (default
./build/edgesim); runs go through `edgesim run --json` and, where the study needs
traces, the run's HDF5 file.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

FLEXIBILITY_TARGETS = [0.35, 0.45, 0.55, 0.65, 0.72]
# pareto's candidate thresholds per exit: 0 (always leave there) to 1.01 (never), so
# the frontier spans every single exit as well as the mixtures between them.
PARETO_GRID = "[0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.01]"

# Battery-adaptive policies against the full model. The thresholds are what the
# multitenant-jetson scenario uses; the adaptive ones keep them while the battery is
# above half and trade accuracy for energy below.
BATTERY_POLICIES = {
    "full model": 'exits={policy="none"}',
    "threshold 0.9": 'exits={policy="threshold", thresholds=0.9}',
    "pareto (low_battery 0.5)": 'exits={policy="pareto", objective="max-accuracy", low_battery=0.5}',
    "criteria (battery < 50%)": 'exits={policy="criteria", rule="confidence > 0.9 OR battery < 50%"}',
}

MULTITENANCY_POLICIES = {
    "threshold (share-aware)": 'exits={policy="threshold", thresholds=0.9}',
    "same thresholds, share-blind": 'exits={policy="criteria", rule="confidence >= 0.9"}',
}
SHARE_CHANGES = [100.0, 200.0]


# ----------------------------------------------------------------------------- runs

def binary() -> str:
    return os.environ.get("EDGESIM_BINARY") or str(REPO / "build" / "edgesim")


def run(scenario: Path, sets: list[str], seed: int, h5: Path | None = None) -> dict:
    """One `edgesim run --json`; its parsed summary."""
    with tempfile.TemporaryDirectory() as tmp:
        out = h5 or Path(tmp) / "run.h5"
        cmd = [binary(), "run", str(scenario), "--json", "-q", "-o", str(out), "--seed", str(seed)]
        if h5 is None:
            cmd.append("--no-trace")
        for s in sets:
            cmd += ["--set", s]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)}: exit {done.returncode}: {done.stderr.strip()}")
        return json.loads(done.stdout)


def run_all(jobs: int, tasks: list[tuple]) -> list[dict]:
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda t: run(*t), tasks))


def mean_ci(values) -> tuple[float, float]:
    """Mean and 95 % Student-t half-width (0 for one value)."""
    x = np.asarray(values, dtype=float)
    if len(x) < 2:
        return float(x.mean()), 0.0
    from scipy import stats
    return float(x.mean()), float(stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))


def pyplot():
    """matplotlib.pyplot on the file-only backend (imported on first use: the statistics
    above need no matplotlib)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def write_csv(rows: list[dict], path: Path) -> None:
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        writer.writeheader()
        writer.writerows(rows)


def dynamic_energy_per_request(tenant: dict) -> float:
    """Inference energy: the tenant's dynamic (busy minus idle) energy per served request."""
    return tenant["energy_dynamic_j"] / tenant["served"] if tenant["served"] else float("nan")


def lifetime_gain(lifetime: float, baseline: float) -> float:
    """Relative lifetime extension over the baseline (0.59 = +59 %)."""
    return lifetime / baseline - 1.0


def window_stats(arrival, tenant, exit_, latency, correct, tenant_index: int, width: float,
                 start: float, end: float) -> list[dict]:
    """Per window [t, t + width) of arrival time: the tenant's offered requests, loss
    ratio, mean latency of the served and their accuracy (NaN where none)."""
    rows = []
    mine = tenant == tenant_index
    for t0 in np.arange(start, end, width):
        sel = mine & (arrival >= t0) & (arrival < t0 + width)
        offered = int(sel.sum())
        served = sel & (exit_ >= 0)
        n = int(served.sum())
        rows.append({
            "t": float(t0),
            "offered": offered,
            "loss_ratio": (offered - n) / offered if offered else float("nan"),
            "latency_mean": float(latency[served].mean()) if n else float("nan"),
            "accuracy": float(correct[served].mean()) if n else float("nan"),
        })
    return rows


# ---------------------------------------------------------------------- flexibility

def flexibility(args):
    scenario = REPO / "scenarios" / "delen-flexibility.toml"
    cases = [("full model", None, 'exits={policy="none"}'), ("oracle", None, 'exits={policy="oracle"}')]
    for target in FLEXIBILITY_TARGETS:
        cases.append(("per-workload", target, f'exits={{policy="per-workload", target_accuracy={target}}}'))
        cases.append(("pareto", target,
                      f'exits={{policy="pareto", objective="min-energy", min_accuracy={target}, grid={PARETO_GRID}}}'))
    tasks = [(scenario, [sets], seed) for _, _, sets in cases for seed in range(1, args.reps + 1)]
    results = run_all(args.jobs, tasks)
    rows = []
    for i, (policy, target, _) in enumerate(cases):
        reps = [r["tenants"][0] for r in results[i * args.reps:(i + 1) * args.reps]]
        acc, acc_ci = mean_ci([t["accuracy"] for t in reps])
        energy, energy_ci = mean_ci([dynamic_energy_per_request(t) for t in reps])
        latency, _ = mean_ci([t["latency_mean"] for t in reps])
        rows.append({"policy": policy, "target": "" if target is None else target, "accuracy": acc,
                     "accuracy_ci95": acc_ci, "energy_per_request_j": energy, "energy_ci95": energy_ci,
                     "latency_mean_s": latency})
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for policy, marker in [("full model", "s"), ("oracle", "*"), ("per-workload", "o"), ("pareto", "^")]:
        sel = [r for r in rows if r["policy"] == policy]
        ax.errorbar([r["accuracy"] for r in sel], [r["energy_per_request_j"] for r in sel],
                    xerr=[r["accuracy_ci95"] for r in sel], yerr=[r["energy_ci95"] for r in sel],
                    marker=marker, markersize=9 if marker == "*" else 6, linestyle="-" if len(sel) > 1 else "",
                    capsize=2, label=policy)
    ax.set_xlabel("accuracy of served requests")
    ax.set_ylabel("dynamic energy per request (J)")
    ax.set_title("Flexibility: ResNet-50 (3 exits) on a Jetson Nano, 4 frames/s")
    ax.grid(alpha=0.3)
    ax.legend()
    return rows, fig


# -------------------------------------------------------------------------- battery

def battery(args):
    from edgesim_h5 import load_run
    scenario = REPO / "scenarios" / "delen-battery.toml"
    rows = []
    curves = {}
    with tempfile.TemporaryDirectory() as tmp:
        tasks = [(scenario, [sets], seed, Path(tmp) / f"{i}-{seed}.h5")
                 for i, sets in enumerate(BATTERY_POLICIES.values()) for seed in range(1, args.reps + 1)]
        results = run_all(args.jobs, tasks)
        for i, name in enumerate(BATTERY_POLICIES):
            reps = results[i * args.reps:(i + 1) * args.reps]
            lifetimes = [r["hosts"][0]["down_at"] for r in reps]
            if any(t < 0 for t in lifetimes):
                raise RuntimeError(f"{name}: the battery outlived the run; lengthen simulation.duration")
            life, life_ci = mean_ci(lifetimes)
            acc, _ = mean_ci([r["tenants"][0]["accuracy"] for r in reps])
            served, _ = mean_ci([r["tenants"][0]["served"] for r in reps])
            rows.append({"policy": name, "lifetime_s": life, "lifetime_ci95": life_ci, "accuracy": acc,
                         "served": served})
            timeline = load_run(tasks[i * args.reps][3], requests=False).timeline
            curves[name] = (timeline["t"], timeline["battery_soc"])
    base = rows[0]["lifetime_s"]
    for r in rows:
        r["lifetime_gain"] = lifetime_gain(r["lifetime_s"], base)
    plt = pyplot()
    fig, (soc, bars) = plt.subplots(1, 2, figsize=(10, 4), gridspec_kw={"width_ratios": [3, 2]})
    for name, (t, s) in curves.items():
        soc.plot(t, s, label=name)
    soc.set_xlim(0, 1.15 * max(r["lifetime_s"] for r in rows))
    soc.set_xlabel("time (s), 1 Wh pack")
    soc.set_ylabel("battery state of charge")
    soc.grid(alpha=0.3)
    soc.legend(fontsize=8)
    names = [r["policy"] for r in rows]
    bars.barh(names, [r["lifetime_gain"] * 100 for r in rows], xerr=[r["lifetime_ci95"] / base * 100 for r in rows])
    for y, r in enumerate(rows):
        bars.text(r["lifetime_gain"] * 100, y, f" {r['lifetime_gain'] * 100:+.0f} %, acc {r['accuracy']:.3f}",
                  va="center", fontsize=8)
    bars.set_xlabel("lifetime over the full model (%)")
    bars.invert_yaxis()
    fig.suptitle("Battery adaptation: Jetson Nano on 18650 cells, ResNet-50 at 4 frames/s")
    return rows, fig


# --------------------------------------------------------------------- multitenancy

def multitenancy(args):
    from edgesim_h5 import load_run
    scenario = REPO / "scenarios" / "delen-multitenancy.toml"
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tasks = [(scenario, [sets], 3, Path(tmp) / f"{i}.h5") for i, sets in enumerate(MULTITENANCY_POLICIES.values())]
        run_all(args.jobs, tasks)
        for (name, _), task in zip(MULTITENANCY_POLICIES.items(), tasks):
            data = load_run(task[3])
            req = data.requests
            for k, tenant in enumerate(data.tenant_names):
                for w in window_stats(req["arrival"], req["tenant"], req["exit"], req["latency"], req["correct"],
                                      k, 10.0, 10.0, 300.0):
                    rows.append({"policy": name, "tenant": tenant, **w})
    plt = pyplot()
    tenants = sorted({r["tenant"] for r in rows})
    fig, axes = plt.subplots(3, len(tenants), figsize=(11, 7.5), sharex=True)
    for col, tenant in enumerate(tenants):
        for policy, style in zip(MULTITENANCY_POLICIES, ["-", "--"]):
            sel = [r for r in rows if r["tenant"] == tenant and r["policy"] == policy]
            t = [r["t"] + 5 for r in sel]
            for row, metric in enumerate(["latency_mean", "loss_ratio", "accuracy"]):
                axes[row][col].plot(t, [r[metric] for r in sel], style, label=policy)
        axes[0][col].set_title(tenant)
        for row, label in enumerate(["mean latency (s)", "loss ratio", "accuracy"]):
            for change in SHARE_CHANGES:
                axes[row][col].axvline(change, color="grey", alpha=0.4)
            axes[row][col].set_ylabel(label)
            axes[row][col].grid(alpha=0.3)
        axes[2][col].set_xlabel("arrival time (s); shares swap at 100 s and 200 s")
    axes[0][0].legend(fontsize=8)
    fig.suptitle("Multi-tenancy: analytics (ResNet-50) and doorbell (MobileNetV2) share a Jetson Nano")
    return rows, fig


STUDIES = {"flexibility": flexibility, "battery": battery, "multitenancy": multitenancy}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("study", choices=sorted(STUDIES))
    parser.add_argument("--reps", type=int, default=3, help="replications (seeds 1..R) per point")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("-o", "--output", help="output prefix (default docs/img/delen_STUDY)")
    args = parser.parse_args(argv)
    args.output = args.output or str(REPO / "docs" / "img" / f"delen_{args.study}")
    try:
        rows, fig = STUDIES[args.study](args)
    except RuntimeError as error:
        print(f"delen_studies: error: {error}", file=sys.stderr)
        return 1
    fig.tight_layout()
    fig.savefig(f"{args.output}.png", dpi=120)
    write_csv(rows, Path(f"{args.output}.csv"))
    print(f"wrote {args.output}.csv and {args.output}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
