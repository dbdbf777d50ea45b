#!/usr/bin/python3
"""Sweep the uplink bandwidth and plot where each placement policy cuts a model.

For every model x policy x bandwidth the simulator is run twice:

    $EDGESIM_BINARY check SCENARIO --set KEY=BW --set placement.policy=P [--set ...]
    $EDGESIM_BINARY run   SCENARIO --json -q --no-trace -o TMP.h5 (same --set)

`check` prints the placement (" [0-7]@pi4-1 [8-19]@server-1"), `run` the measured
latency and energy. KEY (default links.ap-jetson.bandwidth) is the wired link that
bounds the source's uplink in scenarios/placement-bandwidth.toml. A policy may carry
settings: "neurosurgeon:objective=energy" sets placement.objective = "energy".

Per point it keeps: the fragments, the cut point (layers run on the source host before
the first fragment elsewhere: 0 = full offload, L = all local), the mean latency, and
the source device's energy per request: its energy above idle plus its WiFi radio
energy, divided by the number of requests,
    (E_source - P_idle x T + E_wifi) / N,
with P_idle the source's Idle watts (wattage_per_state, pstate 0) read from the
platform file and T the simulated time.

Writes OUT.csv (one row per point) and OUT.png (rows: models; columns: cut point,
latency, device energy; one line per policy). A failing run is reported on stderr and
skipped; the exit code is then 1.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

DEFAULT_POLICIES = "neurosurgeon,neurosurgeon:objective=energy,chain-dp,ilp,greedy,random"
DEFAULT_MODELS = "models/mobilenetv2.toml,models/resnet50.toml"
DEFAULT_BANDWIDTHS = "0.05,0.1,0.2,0.35,0.5,1,2,4,8,16"  # MB/s
DEFAULT_KEY = "links.ap-jetson.bandwidth"

FRAGMENT = re.compile(r"\[(\d+)-(\d+)\]@(\S+)")


@dataclass(frozen=True)
class Fragment:
    first: int
    last: int
    host: str


def parse_policy(spec: str) -> tuple[str, dict[str, str]]:
    """"name:key=value;key=value" -> (name, settings)."""
    name, _, rest = spec.partition(":")
    settings = {}
    for item in filter(None, rest.split(";")):
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"policy setting {item!r} is not key=value")
        settings[key.strip()] = value.strip()
    return name.strip(), settings


def split_policies(text: str) -> list[str]:
    """Comma-separated policy specs; settings of one policy are separated by ';'."""
    return [p.strip() for p in text.split(",") if p.strip()]


def policy_overrides(spec: str) -> list[str]:
    name, settings = parse_policy(spec)
    out = [f"placement.policy={name}"]
    for key, value in settings.items():
        out.append(f"placement.{key}={value}")
    return out


def parse_fragments(check_output: str) -> list[Fragment]:
    """Fragments of the first tenant from `edgesim check` output."""
    for line in check_output.splitlines():
        if "placement=" in line:
            found = FRAGMENT.findall(line.split("placement=", 1)[1])
            if found:
                return [Fragment(int(a), int(b), h) for a, b, h in found]
    raise ValueError("no placement line in `edgesim check` output")


def cut_point(fragments: list[Fragment], source: str) -> int:
    """Layers run on the source before the first fragment elsewhere."""
    if fragments and fragments[0].host == source:
        return fragments[0].last + 1
    return 0


def describe(fragments: list[Fragment]) -> str:
    return " ".join(f"[{f.first}-{f.last}]@{f.host}" for f in fragments)


def source_idle_watts(platform_file: Path, host: str) -> float:
    """Idle watts at pstate 0 from the host's wattage_per_state (0 if absent)."""
    root = ET.parse(platform_file).getroot()
    for node in root.iter("host"):
        if node.get("id") == host:
            for prop in node.iter("prop"):
                if prop.get("id") == "wattage_per_state":
                    return float(prop.get("value").split(",")[0].split(":")[0])
            return 0.0
    raise ValueError(f"no host {host!r} in {platform_file}")


def device_energy_per_request(summary: dict, source: str, idle_watts: float,
                              requests: int) -> float:
    """(E_source - idle x T + E_wifi links) / requests, from a --json summary."""
    host = next(h for h in summary["hosts"] if h["name"] == source)
    wifi = sum(link["energy_j"] for link in summary.get("links", [])
               if link["name"].startswith("wlan"))
    dynamic = host["energy_j"] - idle_watts * summary["simulated_seconds"]
    return (dynamic + wifi) / requests


@dataclass
class ScenarioInfo:
    source: str
    platform: Path
    requests: int


def read_scenario(path: Path) -> ScenarioInfo:
    data = tomllib.loads(Path(path).read_text())
    platform = (Path(path).parent / data["platform"]["file"]).resolve()
    return ScenarioInfo(data["tenants"][0]["source"], platform,
                        int(data["simulation"]["requests"]))


def overrides_for(model: str, policy: str, key: str, bandwidth_MBps: float) -> list[str]:
    sets = [f"tenants.0.model={model}", f"{key}={bandwidth_MBps:g}MBps"]
    sets += policy_overrides(policy)
    args = []
    for s in sets:
        args += ["--set", s]
    return args


def run_point(binary, scenario, info: ScenarioInfo, idle: float, model: str, policy: str,
              key: str, bandwidth: float, workdir: str) -> dict:
    sets = overrides_for(model, policy, key, bandwidth)
    check = subprocess.run([str(binary), "check", str(scenario), *sets],
                           capture_output=True, text=True, check=True)
    fragments = parse_fragments(check.stdout)
    out = os.path.join(workdir, "run.h5")
    run = subprocess.run([str(binary), "run", str(scenario), "--json", "-q", "--no-trace",
                          "-o", out, *sets], capture_output=True, text=True, check=True)
    summary = json.loads(run.stdout)
    return {
        "model": Path(model).stem,
        "policy": policy,
        "bandwidth_MBps": bandwidth,
        "fragments": describe(fragments),
        "cut": cut_point(fragments, info.source),
        "layers": fragments[-1].last + 1,
        "latency_mean_s": summary["all"]["latency_mean"],
        "device_energy_j": device_energy_per_request(summary, info.source, idle, info.requests),
        "served": summary["all"]["served"],
    }


def write_csv(rows: list[dict], path: Path) -> None:
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    models = list(dict.fromkeys(r["model"] for r in rows))
    policies = list(dict.fromkeys(r["policy"] for r in rows))
    columns = (("cut", "cut point\n(layers on the device)"),
               ("latency_mean_s", "mean latency [s]"),
               ("device_energy_j", "device energy per request [J]"))
    fig, axes = plt.subplots(len(models), len(columns), figsize=(13, 3.6 * len(models)),
                             squeeze=False)
    markers = "osD^vx*+"
    for i, model in enumerate(models):
        for j, (metric, label) in enumerate(columns):
            ax = axes[i][j]
            for k, policy in enumerate(policies):
                pts = sorted((r["bandwidth_MBps"], r[metric]) for r in rows
                             if r["model"] == model and r["policy"] == policy)
                if not pts:
                    continue
                # Offset overlapping cut-point lines slightly so that each stays visible.
                dy = (k - len(policies) / 2) * 0.08 if metric == "cut" else 0
                ax.plot([p[0] for p in pts], [p[1] + dy for p in pts],
                        marker=markers[k % len(markers)], markersize=4, label=policy)
            ax.set_xscale("log")
            if metric != "cut":
                ax.set_yscale("log")
            else:
                layers = next(r["layers"] for r in rows if r["model"] == model)
                ax.set_ylim(-0.8, layers + 0.8)
            ax.set_xlabel("uplink bandwidth [MB/s]")
            ax.set_ylabel(label)
            ax.set_title(model)
            ax.grid(True, which="both", alpha=0.3)
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    tmp = path.with_suffix(".tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    os.replace(tmp, path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", nargs="?", default="scenarios/placement-bandwidth.toml")
    parser.add_argument("-o", "--out", default="docs/img/placement_sweep",
                        help="output prefix (writes PREFIX.csv and PREFIX.png)")
    parser.add_argument("--policies", default=DEFAULT_POLICIES)
    parser.add_argument("--models", default=DEFAULT_MODELS,
                        help="model files, relative to the scenario's directory")
    parser.add_argument("--bandwidths", default=DEFAULT_BANDWIDTHS, help="MB/s, comma-separated")
    parser.add_argument("--key", default=DEFAULT_KEY, help="scenario key of the uplink bandwidth")
    parser.add_argument("--no-plot", action="store_true")
    args = parser.parse_args(argv)

    binary = os.environ.get("EDGESIM_BINARY", "build/edgesim")
    info = read_scenario(Path(args.scenario))
    idle = source_idle_watts(info.platform, info.source)
    rows, failed = [], 0
    with tempfile.TemporaryDirectory() as workdir:
        for model in [m for m in args.models.split(",") if m]:
            for policy in split_policies(args.policies):
                for bandwidth in [float(b) for b in args.bandwidths.split(",") if b]:
                    try:
                        rows.append(run_point(binary, args.scenario, info, idle, model, policy,
                                              args.key, bandwidth, workdir))
                    except (subprocess.CalledProcessError, ValueError, KeyError) as e:
                        failed += 1
                        detail = getattr(e, "stderr", "") or str(e)
                        print(f"{model} {policy} {bandwidth} MB/s failed: {detail.strip()}",
                              file=sys.stderr)
    if not rows:
        return 1
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_csv(rows, out.with_suffix(".csv"))
    if not args.no_plot:
        plot(rows, out.with_suffix(".png"))
    for r in rows:
        print(f"{r['model']:12s} {r['policy']:28s} {r['bandwidth_MBps']:6g} MB/s  "
              f"cut {r['cut']:2d}  {r['fragments']:40s} {r['latency_mean_s'] * 1e3:8.1f} ms "
              f"{r['device_energy_j']:7.3f} J")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
