#!/usr/bin/python3
"""Plot one edgesim run file.

usage: plot_run.py RUN.h5 [-o OUTDIR] [--prefix NAME] [--logx] [--group G] [--smooth S]

Writes latency_cdf.png, queue_length.png, power.png and exit_histogram.png, and
policy.png when the run's policies recorded their state in /policy (each prefixed
with "NAME_" when --prefix is given), and prints their paths.
Exit code 1 with a one-line message when the file is missing or invalid.

The latency CDF and the exit histogram count the requests that /summary counts: those
arriving after simulation.warmup. The queue and power panels draw each host's interval
averages (/timeline queue_mean and power_w: the average over the interval before each
row) as a faint step line and their time average over the preceding --smooth seconds
(default: a 50th of the run) as a bold line, with the warm-up shaded.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
matplotlib.rcParams["agg.path.chunksize"] = 10000  # long timelines
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import edgesim_h5  # noqa: E402
from edgesim_h5 import EdgesimH5Error  # noqa: E402

PLOTS = ("latency_cdf", "queue_length", "power", "exit_histogram")
PROG = "plot_run"


def _title(run, what: str) -> str:
    name = os.path.basename(run.path)
    if run.group and run.group != "/":
        name += f" [{run.group}]"
    return f"{what} — {name}"


def _no_data(ax, text: str):
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes)


def host_series(run):
    """{host index: timeline rows of that host, sorted by time}."""
    tl = run.timeline
    out = {}
    for h in np.unique(tl["host"]):
        rows = tl[tl["host"] == h]
        out[int(h)] = rows[np.argsort(rows["t"], kind="stable")]
    return out


def battery_hosts(run):
    """Host indices whose battery state of charge drops below 1 in the timeline."""
    out = []
    for h, rows in host_series(run).items():
        soc = rows["battery_soc"]
        soc = soc[np.isfinite(soc)]
        if soc.size and soc.min() < 1.0:
            out.append(h)
    return out


def default_smooth(run) -> float:
    """About a 50th of the timeline's span, rounded down to 1, 2 or 5 x a power of ten
    (0 for an empty timeline)."""
    t = run.timeline["t"]
    span = float(t.max() - t.min()) / 50.0 if t.size else 0.0
    if span <= 0:
        return 0.0
    decade = 10.0 ** np.floor(np.log10(span))
    return float(decade * max(m for m in (1, 2, 5) if m * decade <= span * (1 + 1e-12)))


def rolling_mean(t: np.ndarray, values: np.ndarray, window: float) -> np.ndarray:
    """Mean of the interval averages over the preceding `window` seconds (trailing, and
    exact for equal intervals: the mean of w consecutive interval averages is the time
    average over those w intervals). window <= one interval returns the values."""
    if values.size < 2 or window <= 0:
        return values.astype(np.float64)
    step = float(np.median(np.diff(t)))
    w = max(1, int(round(window / step))) if step > 0 else 1
    c = np.concatenate([[0.0], np.cumsum(values, dtype=np.float64)])
    i = np.arange(values.size)
    lo = np.maximum(0, i - w + 1)
    return (c[i + 1] - c[lo]) / (i + 1 - lo)


def _shade_warmup(ax, run):
    if run.warmup > 0:
        ax.axvspan(0, run.warmup, color="0.85", zorder=0,
                   label=f"warm-up ({run.warmup:g} s, not in /summary)")


def _interval_series(ax, run, field: str, smooth: float, unit_label: str):
    """Faint steps of each host's interval averages, bold rolling means; the lines drawn."""
    series = host_series(run)
    lines = {}
    for h, rows in series.items():
        t, v = rows["t"], rows[field].astype(np.float64)
        # Row k averages (t[k-1], t[k]]: a step drawn back to the previous row.
        (faint,) = ax.step(t, v, where="pre", alpha=0.3, linewidth=0.8)
        ax.plot(t, rolling_mean(t, v, smooth), color=faint.get_color(), linewidth=2,
                label=f"{run.host_name(h)}{unit_label}")
        lines[h] = faint.get_color()
    return series, lines


def figure_latency_cdf(run, stats, logx: bool = False):
    fig, ax = plt.subplots(figsize=(7, 4.5))
    drawn = 0
    for t in range(stats.n_tenants):
        x, y = stats.cdf_xy(t)
        if logx:
            pos = x > 0
            x, y = x[pos], y[pos]
        if x.size == 0:
            continue
        label = f"{run.tenant_name(t)} (n={int(stats.served[t])}"
        label += ", subsampled)" if stats.cdf_subsampled.get(t) else ")"
        ax.step(x * 1e3, y, where="post", label=label)
        drawn += 1
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel("latency [ms]" + (" (log scale)" if logx else ""))
    ax.set_ylabel("fraction of served requests ≤ latency")
    ax.set_ylim(0, 1.02)
    ax.set_title(_title(run, "Latency CDF of served requests after the warm-up"))
    ax.grid(True, which="both", alpha=0.3)
    if drawn:
        ax.legend(title="tenant", fontsize="small")
    else:
        _no_data(ax, "no served requests")
    fig.tight_layout()
    return fig


def _legend(ax, n):
    if n:
        ax.legend(fontsize="small" if n <= 8 else "x-small",
                  ncol=1 if n <= 8 else 2, loc="best")


def _smooth_note(smooth: float) -> str:
    return f"bold: mean over the preceding {smooth:g} s" if smooth > 0 else "interval averages"


def figure_queue_length(run, smooth: float | None = None):
    """Requests in each host's stations: interval averages (queue_mean; files without it:
    the sampled queue_len) and their rolling mean."""
    smooth = default_smooth(run) if smooth is None else smooth
    fig, ax = plt.subplots(figsize=(8, 4.5))
    field = "queue_mean" if "queue_mean" in (run.timeline.dtype.names or ()) else "queue_len"
    _shade_warmup(ax, run)
    series, _ = _interval_series(ax, run, field, smooth, "")
    ax.set_xlabel("simulated time [s]")
    ax.set_ylabel("requests in the host's stations" + (" (interval mean)" if field == "queue_mean" else ""))
    ax.set_ylim(bottom=0)
    ax.set_title(_title(run, f"Queue length per host ({_smooth_note(smooth)})"))
    ax.grid(True, alpha=0.3)
    _legend(ax, len(series) + (1 if run.warmup > 0 else 0))
    if not series:
        _no_data(ax, "empty timeline")
    fig.tight_layout()
    return fig


def figure_power(run, smooth: float | None = None):
    """Power per host (interval averages and their rolling mean); battery state of charge
    on a twin axis when any host's state of charge drops below 1."""
    smooth = default_smooth(run) if smooth is None else smooth
    fig, ax = plt.subplots(figsize=(8, 4.5))
    _shade_warmup(ax, run)
    series, colors = _interval_series(ax, run, "power_w", smooth, " power")
    ax.set_xlabel("simulated time [s]")
    ax.set_ylabel("power [W] (interval mean)")
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()
    bat = battery_hosts(run)
    title = "Power per host"
    if bat:
        ax2 = ax.twinx()
        for h in bat:
            rows = series[h]
            ax2.plot(rows["t"], rows["battery_soc"] * 100.0, linestyle="--",
                     color=colors[h], label=f"{run.host_name(h)} battery")
        ax2.set_ylabel("battery state of charge [%] (dashed)")
        ax2.set_ylim(0, 105)
        h2, l2 = ax2.get_legend_handles_labels()
        handles += h2
        labels += l2
        title += " and battery state of charge"
    ax.set_title(_title(run, f"{title} ({_smooth_note(smooth)})"))
    if handles:
        ax.legend(handles, labels, fontsize="small" if len(handles) <= 8 else "x-small",
                  ncol=1 if len(handles) <= 8 else 2, loc="best")
    else:
        _no_data(ax, "empty timeline")
    fig.tight_layout()
    return fig


def figure_exit_histogram(run, stats):
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * (stats.n_exits + 1) + 3), 4.5))
    frac = stats.exit_fractions()
    cats = [f"exit {e}" for e in range(stats.n_exits)] + ["lost"]
    nt = stats.n_tenants
    xs = np.arange(len(cats))
    width = 0.8 / max(nt, 1)
    for t in range(nt):
        ax.bar(xs - 0.4 + width * (t + 0.5), frac[t], width,
               label=f"{run.tenant_name(t)} (n={int(stats.offered[t])})")
    ax.set_xticks(xs)
    ax.set_xticklabels(cats)
    ax.set_xlabel("exit taken (highest number = final classifier)")
    ax.set_ylabel("fraction of the tenant's requests after the warm-up")
    ax.set_ylim(0, 1.05)
    ax.set_title(_title(run, "Exits taken per tenant"))
    ax.grid(True, axis="y", alpha=0.3)
    if nt:
        ax.legend(title="tenant", fontsize="small")
    else:
        _no_data(ax, "no requests")
    fig.tight_layout()
    return fig


def policy_series(run):
    """{(tenant, policy): {name: (times, values)}} from /policy, in file order."""
    out = {}
    rows = run.policy
    if rows is None or rows.size == 0:
        return out
    for r in rows:
        key = (int(r["tenant"]), edgesim_h5.decode_name(r["policy"]))
        times, values = out.setdefault(key, {}).setdefault(edgesim_h5.decode_name(r["name"]), ([], []))
        times.append(float(r["time"]))
        values.append(float(r["value"]))
    return out


def figure_policy(run, max_legend: int = 12):
    """One panel per (tenant, policy): each recorded value as a step line held until the
    next record (arm means, LP probabilities, the active point, a budget...). Values that
    stay in [0, 1] (probabilities, shares, thresholds) use the left axis, the others
    (rates, times, counts) a right axis, dashed."""
    series = policy_series(run)
    fig, axes = plt.subplots(len(series), 1, figsize=(8, 3.2 * len(series)), squeeze=False)
    for ax, ((tenant, policy), values) in zip(axes[:, 0], series.items()):
        end = float(run.timeline["t"].max()) if run.timeline.size else None
        other = None
        for i, (name, (t, v)) in enumerate(values.items()):
            t, v = list(t), list(v)
            if end is not None and end > t[-1]:
                t, v = t + [end], v + [v[-1]]
            if min(v) >= 0 and max(v) <= 1:
                ax.step(t, v, where="post", label=name, color=f"C{i % 10}")
            else:
                other = other or ax.twinx()
                other.step(t, v, where="post", linestyle="--", label=name, color=f"C{i % 10}")
        ax.set_title(_title(run, f"{run.tenant_name(tenant)}: {policy} state"))
        ax.set_xlabel("simulated time [s]")
        ax.set_ylabel("value in [0, 1]")
        if other is not None:
            other.set_ylabel("other values (dashed)")
        ax.grid(True, alpha=0.3)
        handles, labels = ax.get_legend_handles_labels()
        if other is not None:
            h2, l2 = other.get_legend_handles_labels()
            handles, labels = handles + h2, labels + l2
        if len(values) <= max_legend:
            ax.legend(handles, labels, fontsize="x-small", ncol=2, loc="best")
        else:
            ax.text(0.01, 0.98, f"{len(values)} values (legend left out)", transform=ax.transAxes,
                    va="top", fontsize="small")
    fig.tight_layout()
    return fig


def output_paths(outdir: str, prefix: str | None):
    pre = f"{prefix}_" if prefix else ""
    return {p: os.path.join(outdir, f"{pre}{p}.png") for p in PLOTS + ("policy",)}


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog=PROG, description="Plot an edgesim run file (HDF5) into PNG files.")
    ap.add_argument("run", metavar="RUN.h5", help="run file written by edgesim")
    ap.add_argument("-o", "--outdir", default=None,
                    help="output directory (default: the run file's directory)")
    ap.add_argument("--prefix", default=None, metavar="NAME",
                    help='prefix file names with "NAME_"')
    ap.add_argument("--logx", action="store_true",
                    help="logarithmic latency axis for the CDF")
    ap.add_argument("--group", default=None,
                    help="group holding one point's traces in a sweep file")
    ap.add_argument("--smooth", type=float, default=None, metavar="S",
                    help="window of the rolling mean in the queue and power panels, seconds "
                         "(default: a 50th of the run; 0: interval averages only)")
    ap.add_argument("--max-cdf-points", type=int,
                    default=edgesim_h5.DEFAULT_MAX_CDF_POINTS,
                    help="most latency points per tenant in the CDF (default %(default)s)")
    args = ap.parse_args(argv)
    if args.max_cdf_points < 1:
        ap.error("--max-cdf-points must be >= 1")
    if args.smooth is not None and not args.smooth >= 0:
        ap.error("--smooth must be >= 0 seconds")
    return args


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        run = edgesim_h5.load_run(args.run, requests=False, group=args.group)
        stats = edgesim_h5.scan_requests(args.run, max_cdf_points=args.max_cdf_points,
                                         group=args.group,
                                         n_tenants=len(run.tenant_names),
                                         warmup=run.warmup)
        outdir = args.outdir if args.outdir is not None else (
            os.path.dirname(os.path.abspath(args.run)))
        os.makedirs(outdir, exist_ok=True)
        paths = output_paths(outdir, args.prefix)
        figs = {
            "latency_cdf": lambda: figure_latency_cdf(run, stats, logx=args.logx),
            "queue_length": lambda: figure_queue_length(run, args.smooth),
            "power": lambda: figure_power(run, args.smooth),
            "exit_histogram": lambda: figure_exit_histogram(run, stats),
        }
        names = list(PLOTS)
        if policy_series(run):
            # Only for runs whose policies recorded state (/policy rows).
            names.append("policy")
            figs["policy"] = lambda: figure_policy(run)
        for name in names:
            fig = figs[name]()
            try:
                fig.savefig(paths[name], dpi=120)
            finally:
                plt.close(fig)
            print(paths[name])
    except EdgesimH5Error as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"{PROG}: error: {args.run}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
