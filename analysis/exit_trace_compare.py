#!/usr/bin/python3
"""Real exit trace vs edgesim's synthetic exit model: accuracy and depth against the threshold.

usage: exit_trace_compare.py [--edgesim BIN] [--model MODEL.toml] [--requests N]
                             [--thresholds 0,0.1,...] [-o FIG.png] [--csv OUT.csv]

For each confidence threshold t (the same on every exit: a request leaves at the first
exit whose confidence >= t), edgesim runs the model twice on one idle host:
  trace      the model as shipped: each request replays one sample of its exit trace
  synthetic  the same model with `[confidence] source = "synthetic"`: per-exit accuracies
             as in the file, confidence and correctness from the difficulty model
             (difficulty_correlation, confidence_noise: the defaults unless the file sets them)
and the trace is also replayed offline (every sample once, no simulation) as the exact
value the `trace` runs estimate. Figure: accuracy and mean exit index against t, one line
per source; CSV: one row per (threshold, source) with accuracy and the fraction leaving at
each exit. Exit code 1 with a one-line message on a missing binary, model or trace.
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
from typing import Dict, List, Sequence, Tuple

import numpy as np

ANALYSIS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(ANALYSIS_DIR)
sys.path.insert(0, ANALYSIS_DIR)
import edgesim_h5  # noqa: E402

PROG = "exit_trace_compare"
DEFAULT_MODEL = os.path.join(REPO, "scenarios", "models", "digits-cnn-3exit.toml")
DEFAULT_THRESHOLDS = [0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999]


class CompareError(Exception):
    """A missing or unusable input."""


def read_trace(path: str) -> Tuple[np.ndarray, np.ndarray]:
    """confidence[sample, exit], correct[sample, exit] of an exit-trace CSV."""
    rows = []
    with open(path, newline="") as f:
        body = [line for line in f if line.strip() and not line.startswith("#")]
    for r in csv.DictReader(body):
        rows.append((int(r["sample"]), int(r["exit"]), float(r["confidence"]), int(r["correct"])))
    if not rows:
        raise CompareError(f"{path}: no trace rows")
    n_samples = max(r[0] for r in rows) + 1
    n_exits = max(r[1] for r in rows) + 1
    conf = np.zeros((n_samples, n_exits))
    correct = np.zeros((n_samples, n_exits), dtype=bool)
    for s, e, c, k in rows:
        conf[s, e], correct[s, e] = c, bool(k)
    return conf, correct


def offline_replay(conf: np.ndarray, correct: np.ndarray, threshold: float) -> Tuple[float, np.ndarray]:
    """Accuracy and exit fractions when every sample leaves at the first exit whose
    confidence >= threshold (the final classifier otherwise) - the threshold policy's rule."""
    n_samples, n_exits = conf.shape
    passed = conf[:, :-1] >= threshold
    exit_at = np.where(passed.any(axis=1), passed.argmax(axis=1), n_exits - 1)
    right = correct[np.arange(n_samples), exit_at]
    return float(right.mean()), np.bincount(exit_at, minlength=n_exits) / n_samples


def synthetic_model_text(text: str) -> str:
    """The model file with its [confidence] table replaced by the synthetic generator
    (keeping difficulty_correlation / confidence_noise if the file sets them)."""
    start = re.search(r"(?m)^\[confidence\]\s*$", text)
    if not start:
        raise CompareError("the model has no [confidence] table")
    rest = text[start.end():]
    nxt = re.search(r"(?m)^\[", rest)
    body = rest[:nxt.start()] if nxt else rest
    kept = [line for line in body.splitlines()
            if re.match(r"\s*(difficulty_correlation|confidence_noise)\s*=", line)]
    table = "[confidence]\nsource = \"synthetic\"\n" + "".join(line + "\n" for line in kept)
    return text[:start.start()] + table + (rest[nxt.start():] if nxt else "")


def run_edgesim(binary: str, model_path: str, source_host: str, platform: str, threshold: float,
                requests: int, seed: int, workdir: str) -> Tuple[float, np.ndarray]:
    """Accuracy and exit fractions of `requests` requests under threshold t on every exit."""
    model = tomllib.loads(open(model_path).read())
    n_exits = len(model.get("exits", []))
    scenario = os.path.join(workdir, "s.toml")
    with open(scenario, "w") as f:
        f.write(f'[simulation]\nseed = {seed}\nrequests = {requests}\nduration = "1e6s"\n\n'
                f'[platform]\nfile = "{platform}"\n\n'
                f'[[tenants]]\nname = "probe"\nmodel = "{model_path}"\nsource = "{source_host}"\n'
                'arrival = { process = "periodic", rate = 10.0 }\n\n'
                '[placement]\npolicy = "source-only"\n\n'
                f'[exits]\npolicy = "threshold"\nthresholds = [{", ".join([repr(threshold)] * n_exits)}]\n')
    out = os.path.join(workdir, "r.h5")
    res = subprocess.run([binary, "run", scenario, "-q", "--json", "-o", out], capture_output=True, text=True)
    if res.returncode != 0:
        raise CompareError(f"edgesim run failed: {res.stderr.strip()}")
    accuracy = json.loads(res.stdout)["all"]["accuracy"]
    stats = edgesim_h5.scan_requests(out)
    counts = np.zeros(n_exits + 1)
    seen = stats.exit_counts[0][:n_exits + 1]  # only as many columns as the deepest exit taken
    counts[:seen.size] = seen
    return float(accuracy), counts / max(int(stats.offered[0]), 1)


def compare(binary: str, model_path: str, source_host: str, platform: str,
            thresholds: Sequence[float], requests: int, seed: int = 1) -> List[Dict]:
    model_text = open(model_path).read()
    model = tomllib.loads(model_text)
    trace_rel = model.get("confidence", {}).get("trace")
    if not trace_rel:
        raise CompareError(f"{model_path}: [confidence] has no trace")
    conf, correct = read_trace(os.path.join(os.path.dirname(os.path.abspath(model_path)), trace_rel))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        synthetic = os.path.join(tmp, "synthetic.toml")
        with open(synthetic, "w") as f:
            f.write(synthetic_model_text(model_text))
        for t in thresholds:
            acc, frac = offline_replay(conf, correct, t)
            rows.append(dict(threshold=t, source="trace (offline)", accuracy=acc, fractions=frac))
            for name, path in (("trace", os.path.abspath(model_path)), ("synthetic", synthetic)):
                acc, frac = run_edgesim(binary, path, source_host, platform, t, requests, seed, tmp)
                rows.append(dict(threshold=t, source=name, accuracy=acc, fractions=frac))
    return rows


def mean_exit(fractions: np.ndarray) -> float:
    return float(np.dot(np.arange(len(fractions)), fractions) / max(fractions.sum(), 1e-300))


def write_csv(path: str, rows: Sequence[Dict]) -> None:
    n = len(rows[0]["fractions"])
    tmp = path + ".tmp"
    with open(tmp, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["threshold", "source", "accuracy", "mean_exit"] + [f"exit{i}" for i in range(n)])
        for r in rows:
            w.writerow([r["threshold"], r["source"], f"{r['accuracy']:.6f}", f"{mean_exit(r['fractions']):.6f}"]
                       + [f"{x:.6f}" for x in r["fractions"]])
    os.replace(tmp, path)


def plot(path: str, rows: Sequence[Dict], title: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_acc, ax_exit) = plt.subplots(1, 2, figsize=(10, 4))
    styles = {"trace (offline)": dict(color="black", linestyle=":", marker=None),
              "trace": dict(color="tab:blue", linestyle="-", marker="o"),
              "synthetic": dict(color="tab:orange", linestyle="--", marker="s")}
    for source, style in styles.items():
        sel = [r for r in rows if r["source"] == source]
        t = [r["threshold"] for r in sel]
        ax_acc.plot(t, [r["accuracy"] for r in sel], label=source, **style)
        ax_exit.plot(t, [mean_exit(r["fractions"]) for r in sel], label=source, **style)
    ax_acc.set_xlabel("confidence threshold (every exit)")
    ax_acc.set_ylabel("accuracy of served requests")
    ax_exit.set_xlabel("confidence threshold (every exit)")
    ax_exit.set_ylabel("mean exit index (final = %d)" % (len(rows[0]["fractions"]) - 1))
    for ax in (ax_acc, ax_exit):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(title)
    fig.tight_layout()
    tmp = path + ".tmp.png"
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    os.replace(tmp, path)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    ap.add_argument("--edgesim", default=os.environ.get("EDGESIM_BINARY", os.path.join(REPO, "build", "edgesim")))
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--source", default="x86_epyc_2vcpu", help="host of platforms/devices.xml to run on")
    ap.add_argument("--platform", default=os.path.join(REPO, "platforms", "devices.xml"))
    ap.add_argument("--requests", type=int, default=20000)
    ap.add_argument("--thresholds", help="comma-separated (default: %s)" % ",".join(map(str, DEFAULT_THRESHOLDS)))
    ap.add_argument("-o", "--output", default=os.path.join(REPO, "docs", "img", "exit-trace-vs-synthetic.png"))
    ap.add_argument("--csv", help="also write the table")
    args = ap.parse_args(argv)
    try:
        if not os.access(args.edgesim, os.X_OK):
            raise CompareError(f"{args.edgesim}: no edgesim binary (build it, or pass --edgesim)")
        if not os.path.isfile(args.model):
            raise CompareError(f"{args.model}: no such model file")
        thresholds = [float(x) for x in args.thresholds.split(",")] if args.thresholds else DEFAULT_THRESHOLDS
        rows = compare(args.edgesim, os.path.abspath(args.model), args.source, args.platform, thresholds,
                       args.requests)
    except (CompareError, OSError, ValueError, KeyError, tomllib.TOMLDecodeError) as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1
    for r in rows:
        print(f"t={r['threshold']:<6g} {r['source']:16s} accuracy {r['accuracy']:.4f}  "
              f"mean exit {mean_exit(r['fractions']):.3f}  exits " + " ".join(f"{x:.3f}" for x in r["fractions"]))
    if args.csv:
        write_csv(args.csv, rows)
    plot(args.output, rows, os.path.basename(args.model))
    print(args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
