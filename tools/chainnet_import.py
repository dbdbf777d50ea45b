#!/usr/bin/python3
"""Turn ChainNet samples into edgesim scenarios, re-simulate them and compare with their labels.

ChainNet (Niu, Roveri, Casale, DSN 2024) ships its data as text files under
`<split>/raw/` (one value list per line: per sample numNodes, numClasses, capacity; per
chain arrival, path, service and the labels throughput, responseTime, tputRatio). Its
model, which this importer reproduces exactly in edgesim:

  - device d (1..numNodes) is one FCFS single server whose capacity K_d (capacity.txt,
    requests in system, in service included) is shared by every chain on it
    (`hosts.<d>.station = "shared"`, `servers = 1`); a request finding it full is lost;
  - chain c has Poisson arrivals of mean inter-arrival time arrival[c] (arrival.txt), and
    visits the devices of its path (path.txt, 1-based) in order; its j-th fragment takes
    exactly service[c][j] (service.txt, deterministic) on its device;
  - there is no network: activations are 0 bytes, so fragments hand over without a
    transfer.

Each sample becomes `<out>/s<i>.xml` (hosts d1..dN, 1 Gflop/s, one core), one model per
chain (`s<i>.c<c>.toml`: a layer of service x 1e9 flops per fragment) and `s<i>.toml`.
With --run every scenario is simulated (`edgesim run --json`, --requests arrivals per
chain, the first --warmup fraction of the time left out) and each chain's throughput,
mean response time and loss ratio is set against the label (loss = 1 - tputRatio);
--csv writes the per-chain table, and the median and 90th-percentile relative errors
are printed (absolute error for the loss).

usage: chainnet_import.py RAW_DIR -o OUT_DIR [--samples N] [--first I] [--station shared|per-fragment]
                          [--run [--edgesim BIN] [--requests 20000] [--warmup 0.1] [--csv F]]
Exit code 1 with a one-line message on missing or inconsistent files.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

PROG = "chainnet_import"
HOST_SPEED = 1e9  # flop/s of every generated device


class ImportError_(Exception):
    """Missing or inconsistent ChainNet files."""


@dataclass
class Chain:
    interarrival: float
    path: List[int]          # 1-based device numbers
    service: List[float]     # seconds per fragment
    labels: Dict[str, float] = field(default_factory=dict)


@dataclass
class Sample:
    index: int
    capacity: List[int]
    chains: List[Chain]


def _lines(raw: str, name: str, required: bool = True) -> Optional[List[List[str]]]:
    path = os.path.join(raw, f"{name}.txt")
    if not os.path.isfile(path):
        if required:
            raise ImportError_(f"{path}: missing")
        return None
    with open(path) as f:
        return [line.split() for line in f]


def read_samples(raw: str, first: int = 0, count: Optional[int] = None) -> List[Sample]:
    """Samples first..first+count-1 of a ChainNet raw directory."""
    nodes = _lines(raw, "numNodes")
    classes = _lines(raw, "numClasses")
    capacity = _lines(raw, "capacity")
    chain_files = {name: _lines(raw, name) for name in ("arrival", "path", "service")}
    labels = {name: _lines(raw, name, required=False) for name in ("throughput", "responseTime", "tputRatio")}
    samples = []
    chain_row = 0
    for i in range(len(nodes)):
        if not nodes[i]:
            break
        try:
            n = int(nodes[i][0])
            c = int(classes[i][0])
        except (IndexError, ValueError):
            raise ImportError_(f"{raw}: sample {i}: numNodes/numClasses line is not an integer")
        if i >= first and (count is None or len(samples) < count):
            try:
                caps = [int(float(x)) for x in capacity[i][:n]]
                chains = []
                for r in range(chain_row, chain_row + c):
                    path = [int(x) for x in chain_files["path"][r]]
                    service = [float(x) for x in chain_files["service"][r][:len(path)]]
                    chain = Chain(float(chain_files["arrival"][r][0]), path, service)
                    for name, rows in labels.items():
                        if rows is not None and r < len(rows) and rows[r]:
                            chain.labels[name] = float(rows[r][0])
                    chains.append(chain)
            except (IndexError, ValueError) as e:
                raise ImportError_(f"{raw}: sample {i}: malformed line ({e})")
            if len(caps) != n or any(k < 1 for k in caps):
                raise ImportError_(f"{raw}: sample {i}: capacity needs {n} integers >= 1")
            for ch in chains:
                if len(ch.service) != len(ch.path) or any(d < 1 or d > n for d in ch.path):
                    raise ImportError_(f"{raw}: sample {i}: a path names a device outside 1..{n} "
                                       "or has no service time per fragment")
            samples.append(Sample(i, caps, chains))
        chain_row += c
        if count is not None and len(samples) >= count:
            break
    return samples


def write_scenario(sample: Sample, out: str, requests: int, warmup: float, station: str = "shared") -> str:
    """The edgesim files of one sample; returns the scenario path."""
    os.makedirs(out, exist_ok=True)
    n = len(sample.capacity)
    stem = os.path.join(out, f"s{sample.index}")
    hosts = "".join(f'    <host id="d{d}" speed="1Gf" core="1"><prop id="wattage_per_state" value="1:2:2"/></host>\n'
                    for d in range(1, n + 1))
    links, routes = "", ""
    for a in range(1, n + 1):
        for b in range(a + 1, n + 1):
            links += f'    <link id="l{a}_{b}" bandwidth="1000Gbps" latency="0"/>\n'
            routes += f'    <route src="d{a}" dst="d{b}"><link_ctn id="l{a}_{b}"/></route>\n'
    with open(stem + ".xml", "w") as f:
        f.write("<?xml version='1.0'?>\n<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
                f"<!-- ChainNet sample {sample.index}: {n} devices, one FCFS server each; no network -->\n"
                '<platform version="4.1">\n  <zone id="chainnet" routing="Full">\n'
                + hosts + links + routes + "  </zone>\n</platform>\n")
    longest = max(ch.interarrival for ch in sample.chains)
    duration = requests * longest  # every chain sees at least `requests` arrivals on average
    text = [f"# ChainNet sample {sample.index}, imported by tools/chainnet_import.py",
            "[simulation]", "seed = 1", f"duration = {duration!r}", f"warmup = {warmup * duration!r}",
            "sample_every = 1e9", "trace_requests = false", "",
            "[platform]", f'file = "{os.path.basename(stem)}.xml"', "",
            "[hosts.default]", f'station = "{station}"', 'discipline = "fcfs"', "servers = 1", ""]
    for d, k in enumerate(sample.capacity, start=1):
        text += [f"[hosts.d{d}]", f"buffer = {k}", ""]
    for c, ch in enumerate(sample.chains):
        model = f"{os.path.basename(stem)}.c{c}.toml"
        layers = ", ".join(f'{{ name = "f{j}", flops = {s * HOST_SPEED!r}, out_bytes = 0 }}'
                           for j, s in enumerate(ch.service))
        with open(os.path.join(out, model), "w") as f:
            f.write(f'name = "chain{c}"\ninput_bytes = 0\nfinal = {{ accuracy = 1.0 }}\nlayers = [ {layers} ]\n')
        fragments = ", ".join(f'{{ layers = "{j}-{j}", host = "d{d}" }}' for j, d in enumerate(ch.path))
        text += ["[[tenants]]", f'name = "c{c}"', f'model = "{model}"', f'source = "d{ch.path[0]}"',
                 f"arrival = {{ process = \"poisson\", rate = {1.0 / ch.interarrival!r} }}",
                 'work = "deterministic"', f'placement = {{ policy = "manual", fragments = [ {fragments} ] }}', ""]
    with open(stem + ".toml", "w") as f:
        f.write("\n".join(text))
    return stem + ".toml"


def simulate(binary: str, scenario: str) -> List[Dict[str, float]]:
    res = subprocess.run([binary, "run", scenario, "-q", "--json", "--no-trace", "-o", scenario[:-5] + ".h5"],
                         capture_output=True, text=True)
    if res.returncode != 0:
        raise ImportError_(f"{scenario}: edgesim run failed: {res.stderr.strip()}")
    return json.loads(res.stdout)["tenants"]


def quantile(xs: Sequence[float], q: float) -> float:
    s = sorted(xs)
    if not s:
        return float("nan")
    pos = q * (len(s) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (pos - lo) * (s[hi] - s[lo])


def compare(samples: Sequence[Sample], out: str, binary: str, requests: int, warmup: float,
            station: str = "shared") -> List[Dict]:
    rows = []
    for sample in samples:
        scenario = write_scenario(sample, out, requests, warmup, station)
        for c, (ch, sim) in enumerate(zip(sample.chains, simulate(binary, scenario))):
            row = dict(sample=sample.index, chain=c, devices=len(sample.capacity), chains=len(sample.chains),
                       fragments=len(ch.path), sim_throughput=sim["throughput"],
                       sim_response=sim["latency_mean"], sim_loss=sim["loss_ratio"])
            row["label_throughput"] = ch.labels.get("throughput", float("nan"))
            row["label_response"] = ch.labels.get("responseTime", float("nan"))
            row["label_loss"] = 1.0 - ch.labels["tputRatio"] if "tputRatio" in ch.labels else float("nan")
            rows.append(row)
    return rows


def error_summary(rows: Sequence[Dict]) -> Dict[str, Dict[str, float]]:
    out = {}
    for metric, relative in (("throughput", True), ("response", True), ("loss", False)):
        errs = []
        for r in rows:
            sim, label = r[f"sim_{metric}"], r[f"label_{metric}"]
            if sim is None or label != label or sim != sim:
                continue
            errs.append(abs(sim - label) / abs(label) if relative and label else abs(sim - label))
        out[metric] = dict(n=len(errs), median=quantile(errs, 0.5), p90=quantile(errs, 0.9),
                           max=max(errs) if errs else float("nan"), relative=relative)
    return out


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    ap.add_argument("raw", help="a ChainNet raw/ directory")
    ap.add_argument("-o", "--output", required=True, help="directory for the edgesim files")
    ap.add_argument("--first", type=int, default=0, help="first sample (0-based)")
    ap.add_argument("--samples", type=int, help="number of samples (default: all)")
    ap.add_argument("--run", action="store_true", help="simulate and compare with the labels")
    ap.add_argument("--edgesim", default=os.environ.get("EDGESIM_BINARY", os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "build", "edgesim")))
    ap.add_argument("--requests", type=int, default=20000, help="mean arrivals of the slowest chain")
    ap.add_argument("--warmup", type=float, default=0.1, help="fraction of the time left out of the labels")
    ap.add_argument("--csv", help="per-chain comparison table")
    ap.add_argument("--station", choices=("shared", "per-fragment"), default="shared",
                    help="device model: ChainNet's one shared station per device (default), or a station "
                         "with its own K per fragment (to see what sharing changes)")
    args = ap.parse_args(argv)
    try:
        samples = read_samples(args.raw, args.first, args.samples)
        if not samples:
            raise ImportError_(f"{args.raw}: no samples in the range asked for")
        if not args.run:
            for s in samples:
                print(write_scenario(s, args.output, args.requests, args.warmup, args.station))
            return 0
        rows = compare(samples, args.output, args.edgesim, args.requests, args.warmup, args.station)
    except (ImportError_, OSError, KeyError, json.JSONDecodeError) as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    summary = error_summary(rows)
    print(f"{len(samples)} samples, {len(rows)} chains re-simulated ({args.requests} arrivals of the slowest chain)")
    for metric, s in summary.items():
        kind = "relative" if s["relative"] else "absolute"
        print(f"  {metric:10s} {kind} error over {s['n']} chains: median {s['median']:.4f}, "
              f"p90 {s['p90']:.4f}, max {s['max']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
