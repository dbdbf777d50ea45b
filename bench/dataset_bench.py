#!/usr/bin/python3
"""Dataset generation benchmark (run by `cmake --build build --target bench_dataset`).

Generates --samples samples of a dataset spec (default scenarios/datasets/chainnet.toml)
with --jobs jobs for each --spawn mode, and reports wall time and the CPU time (user +
sys of the generator and all its children, from os.wait4 of the generator) per sample.
CPU time per sample is the figure that scales with cores: a machine with C idle cores
generates about C / (CPU s per sample) samples per second, which the last column turns
into the time for 70k samples on 16 cores.

Usage: /usr/bin/python3 bench/dataset_bench.py [--spec FILE] [--samples N] [--jobs J]
                                               [--spawn fork,exec]
  EDGESIM_BINARY   edgesim executable (default build/edgesim)
Standard library only. Run it niced; on a shared machine the wall times mean little.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def generate(binary, spec, samples, jobs, spawn, directory):
    output = Path(directory) / f"bench-{spawn}.h5"
    start = time.monotonic()
    child = subprocess.Popen([binary, "dataset", str(spec), "--samples", str(samples), "--jobs", str(jobs),
                              "--spawn", spawn, "-o", str(output), "-q"])
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - start
    if os.waitstatus_to_exitcode(status) != 0:
        print(f"edgesim dataset --spawn {spawn} failed", file=sys.stderr)
        sys.exit(1)
    return wall, usage.ru_utime, usage.ru_stime


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", default=str(ROOT / "scenarios" / "datasets" / "chainnet.toml"))
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--spawn", default="fork,exec")
    args = parser.parse_args()
    binary = os.environ.get("EDGESIM_BINARY", str(ROOT / "build" / "edgesim"))
    print(f"{Path(args.spec).name}: {args.samples} samples, --jobs {args.jobs}\n")
    print(f"{'spawn':6} {'wall s':>8} {'samples/s':>10} {'user s':>8} {'sys s':>8} {'CPU s/sample':>13} "
          f"{'samples/s/core':>15} {'70k on 16 cores':>16}")
    with tempfile.TemporaryDirectory(prefix="edgesim-dataset-bench-") as directory:
        for spawn in args.spawn.split(","):
            wall, user, system = generate(binary, args.spec, args.samples, args.jobs, spawn, directory)
            per_sample = (user + system) / args.samples
            minutes = 70000 * per_sample / 16 / 60
            print(f"{spawn:6} {wall:8.1f} {args.samples / wall:10.2f} {user:8.1f} {system:8.1f} {per_sample:13.3f} "
                  f"{1 / per_sample:15.1f} {minutes:13.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
