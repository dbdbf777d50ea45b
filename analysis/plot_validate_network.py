#!/usr/bin/python3
"""Plot and summarise the table of `edgesim validate --network`.

usage: plot_validate_network.py NET.h5|NET.csv [more files] [-o net.png] [--summary]

Figure: one column per capacity K; top row the end-to-end loss, bottom row the
end-to-end response time (sum of the stations' means) against the load offered to
station 1, one colour per (stations N, classes C): the simulation (markers with their
95 % error bars), the exact Markov chain (solid), the Poisson decomposition (dashed) and
the two-moment decomposition (dotted). --summary prints, per service law and
approximation, the median and the largest relative error of loss, throughput and
response over all station and end-to-end rows, against the exact value where there is
one and against the simulation otherwise (deterministic service). Reads the
/validation_network dataset or the CSV written with --csv. Exit code 1 with a one-line
message when a file is missing or lacks a column.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import sys
from typing import Dict, List, Sequence

import numpy as np

PROG = "plot_validate_network"
METRICS = ("loss", "throughput", "response")
APPROXIMATIONS = ("poisson", "qna")
COLUMNS = ("dist", "stations", "K", "rho", "classes", "station") + tuple(
    f"{kind}_{m}" for m in METRICS for kind in ("sim", "exact", "poisson", "qna")) + tuple(
    f"sim_{m}_hw95" for m in METRICS)


class NetworkTableError(Exception):
    """The file is missing, unreadable or lacks a needed column."""


def _decode(value) -> str:
    if isinstance(value, (bytes, np.bytes_)):
        value = bytes(value).split(b"\0", 1)[0].decode("utf-8", "replace")
    return str(value).split("\0", 1)[0]


def load_rows(path: str) -> List[Dict[str, object]]:
    """The table as a list of dicts (numbers as floats, dist as str)."""
    if not os.path.isfile(path):
        raise NetworkTableError(f"{path}: no such file")
    rows: List[Dict[str, object]] = []
    if path.endswith((".h5", ".hdf5")):
        import h5py
        try:
            with h5py.File(path, "r") as f:
                if "validation_network" not in f:
                    raise NetworkTableError(f"{path}: no /validation_network dataset")
                data = f["validation_network"][()]
        except OSError as e:
            raise NetworkTableError(f"{path}: {e}") from e
        names = data.dtype.names or ()
        missing = [c for c in COLUMNS if c not in names]
        if missing:
            raise NetworkTableError(f"{path}: /validation_network lacks column(s) {', '.join(missing)}")
        for rec in data:
            rows.append({c: (_decode(rec[c]) if c == "dist" else float(rec[c])) for c in COLUMNS})
        return rows
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise NetworkTableError(f"{path}: lacks column(s) {', '.join(missing)}")
        for r in reader:
            rows.append({c: (r[c] if c == "dist" else float(r[c])) for c in COLUMNS})
    return rows


def error_summary(rows: Sequence[Dict[str, object]]) -> List[Dict[str, object]]:
    """Per (dist, approximation, metric): reference, n, median and max relative error."""
    out = []
    for dist in sorted({str(r["dist"]) for r in rows}):
        sel = [r for r in rows if r["dist"] == dist]
        for approx in APPROXIMATIONS:
            for m in METRICS:
                errs = []
                reference = "exact"
                for r in sel:
                    ref = float(r[f"exact_{m}"])
                    if not math.isfinite(ref):
                        ref, reference = float(r[f"sim_{m}"]), "simulation"
                    value = float(r[f"{approx}_{m}"])
                    if math.isfinite(ref) and math.isfinite(value) and abs(ref) > 1e-4:
                        errs.append(abs(value - ref) / abs(ref))
                if errs:
                    out.append(dict(dist=dist, approximation=approx, metric=m, reference=reference, n=len(errs),
                                    median=float(np.median(errs)), max=float(np.max(errs))))
    return out


def plot(rows: Sequence[Dict[str, object]], output: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    e2e = [r for r in rows if r["station"] == 0]
    ks = sorted({int(r["K"]) for r in e2e})
    groups = sorted({(int(r["stations"]), int(r["classes"]), str(r["dist"])) for r in e2e})
    fig, axes = plt.subplots(2, len(ks), figsize=(5 * len(ks), 7), squeeze=False)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for col, K in enumerate(ks):
        for g, (n, c, dist) in enumerate(groups):
            sel = sorted((r for r in e2e if r["K"] == K and r["stations"] == n and r["classes"] == c
                          and r["dist"] == dist), key=lambda r: r["rho"])
            if not sel:
                continue
            colour = colours[g % len(colours)]
            rho = [r["rho"] for r in sel]
            for row, (metric, scale) in enumerate((("loss", 1.0), ("response", 1e3))):
                ax = axes[row][col]
                label = f"{dist} N={n} C={c}"
                ax.errorbar(rho, [scale * r[f"sim_{metric}"] for r in sel],
                            yerr=[scale * r[f"sim_{metric}_hw95"] for r in sel], fmt="o", color=colour,
                            label=f"{label} sim", capsize=3)
                exact = [scale * r[f"exact_{metric}"] for r in sel]
                if any(math.isfinite(v) for v in exact):
                    ax.plot(rho, exact, "-", color=colour, label=f"{label} exact")
                ax.plot(rho, [scale * r[f"poisson_{metric}"] for r in sel], "--", color=colour,
                        label=f"{label} poisson")
                ax.plot(rho, [scale * r[f"qna_{metric}"] for r in sel], ":", color=colour, label=f"{label} qna")
        axes[0][col].set_title(f"K = {K} per station")
        axes[0][col].set_ylabel("end-to-end loss")
        axes[1][col].set_ylabel("end-to-end response (sum of stations) [ms]")
        for row in range(2):
            axes[row][col].set_xlabel("load offered to station 1 (rho)")
            axes[row][col].grid(alpha=0.3)
    axes[0][0].legend(fontsize=6, ncol=2)
    fig.tight_layout()
    tmp = output + ".tmp.png"
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    os.replace(tmp, output)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("-o", "--output", default="validate_network.png")
    ap.add_argument("--summary", action="store_true", help="print the approximations' error summary")
    args = ap.parse_args(argv)
    try:
        rows = [r for path in args.files for r in load_rows(path)]
    except NetworkTableError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1
    if args.summary:
        print("| dist | approximation | metric | against | rows | median rel. error % | max rel. error % |")
        print("|---|---|---|---|---|---|---|")
        for s in error_summary(rows):
            print(f"| {s['dist']} | {s['approximation']} | {s['metric']} | {s['reference']} | {s['n']} | "
                  f"{100 * s['median']:.1f} | {100 * s['max']:.1f} |")
    plot(rows, args.output)
    print(args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
