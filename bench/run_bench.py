#!/usr/bin/python3
"""Throughput benchmark of edgesim (run by `cmake --build build --target bench`).

Runs scenarios/bench-chain.toml (3-fragment MobileNetV2 chain Pi 4B -> OrangePi Zero ->
Jetson Nano, K = 10 at every station, no exits) for several request counts, with and
without the /requests trace, plus the same model written directly on SimGrid
(bench/bare_tandem.cpp) as a reference point, bare and with SimGrid's host, link and WiFi
energy plugins loaded as edgesim always does ("+energy"), and prints one table row per run:

  wall s, CPU s (user + sys), requests/s of wall time and of CPU time, peak RSS (MB).

Each command runs as its own child process and is reaped with os.wait4(), so times and
peak RSS are that child's alone. On a shared machine, requests per CPU second is the
steadier figure; wall time includes waiting for a core. Peak RSS should not grow with
the number of requests (the tandem holds at most 3 x K requests at once).

Usage: /usr/bin/python3 bench/run_bench.py [--quick] [--requests N,N,...] [--repeat R]
  EDGESIM_BINARY      edgesim executable (default build/edgesim)
  BARE_TANDEM_BINARY  bare SimGrid program (default build/bench/bare_tandem; skipped if absent)

Standard library only. Exits 1 if a run fails, 0 otherwise.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "bench-chain.toml"
PLATFORM = ROOT / "platforms" / "bench-chain.xml"


def measure(cmd):
    """Run cmd as a child; return (exit code, stdout, stderr, wall s, cpu s, peak RSS MB)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
    cpu = usage.ru_utime + usage.ru_stime
    rss_mb = usage.ru_maxrss / 1024.0  # Linux: KiB
    return proc.returncode, stdout, stderr, wall, cpu, rss_mb


def last_json_line(text):
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError("no JSON object in the output")


def variants(edgesim, bare, n, tmpdir):
    h5 = str(Path(tmpdir) / f"bench-{n}.h5")
    base = [edgesim, "run", str(SCENARIO), "-q", "--json", "-o", h5, "--set", f"simulation.requests={n}"]
    out = [("edgesim", base, h5), ("edgesim --no-trace", base + ["--no-trace"], h5)]
    if bare:
        cmd = [bare, str(PLATFORM), "--requests", str(n)]
        out += [("bare SimGrid", cmd, None), ("bare SimGrid +energy", cmd + ["--energy"], None)]
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 1e6-request runs")
    parser.add_argument("--requests", help="comma-separated request counts (default 100000,200000,1000000)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per point; the fastest (CPU) is kept")
    args = parser.parse_args()

    counts = [int(float(x)) for x in args.requests.split(",")] if args.requests else [100000, 200000, 1000000]
    if args.quick:
        counts = [n for n in counts if n < 1000000]
    edgesim = os.environ.get("EDGESIM_BINARY", str(ROOT / "build" / "edgesim"))
    bare = os.environ.get("BARE_TANDEM_BINARY", str(ROOT / "build" / "bench" / "bare_tandem"))
    if not Path(edgesim).is_file():
        print(f"run_bench: edgesim binary not found: {edgesim} (set EDGESIM_BINARY)", file=sys.stderr)
        return 1
    if not Path(bare).is_file():
        print(f"run_bench: {bare} not found, skipping the bare SimGrid reference "
              "(build it: ninja -C build bare_tandem)", file=sys.stderr)
        bare = None

    print(f"scenario {SCENARIO.relative_to(ROOT)}; {os.cpu_count()} CPUs, load average "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    header = f"{'program':<22}{'requests':>10}{'wall s':>9}{'CPU s':>9}{'req/s wall':>12}" \
             f"{'req/s CPU':>12}{'peak RSS MB':>13}{'served':>10}{'lost':>8}{'h5 MB':>8}"
    print(header)
    print("-" * len(header))
    failed = False
    rss = {}
    with tempfile.TemporaryDirectory(prefix="edgesim-bench-") as tmpdir:
        for n in counts:
            for name, cmd, h5 in variants(edgesim, bare, n, tmpdir):
                best = None
                for _ in range(max(1, args.repeat)):
                    code, stdout, stderr, wall, cpu, rss_mb = measure(cmd)
                    if code != 0:
                        print(f"{name:<22}{n:>10}  FAILED (exit {code}): {stderr.strip()[-400:]}")
                        failed = True
                        break
                    if best is None or cpu < best[1]:
                        best = (wall, cpu, rss_mb, stdout)
                if best is None:
                    continue
                wall, cpu, rss_mb, stdout = best
                try:
                    summary = last_json_line(stdout)
                except ValueError as e:
                    print(f"{name:<22}{n:>10}  FAILED: {e}")
                    failed = True
                    continue
                row = summary.get("all", summary)
                served = row.get("served", 0)
                lost = row.get("lost", 0)
                offered = row.get("offered", summary.get("requests", served + lost))
                if offered != n:
                    print(f"  warning: {name} offered {offered} requests, expected {n}")
                h5_mb = "-"
                if h5 and Path(h5).exists():
                    h5_mb = f"{Path(h5).stat().st_size / 2**20:.1f}"
                    Path(h5).unlink()
                rss[(name, n)] = rss_mb
                print(f"{name:<22}{n:>10}{wall:>9.2f}{cpu:>9.2f}{n / wall:>12.0f}{n / max(cpu, 1e-9):>12.0f}"
                      f"{rss_mb:>13.1f}{served:>10}{lost:>8}{h5_mb:>8}", flush=True)

    if len(counts) > 1:
        lo, hi = min(counts), max(counts)
        names = sorted({name for name, _ in rss}, key=lambda s: (not s.startswith("edgesim"), s))
        print(f"\npeak RSS growth from {lo} to {hi} requests:")
        for name in names:
            if (name, lo) in rss and (name, hi) in rss:
                a, b = rss[(name, lo)], rss[(name, hi)]
                print(f"  {name:<22}{a:8.1f} MB -> {b:8.1f} MB  ({b - a:+.1f} MB)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
