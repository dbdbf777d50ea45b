#!/usr/bin/python3
"""Plot a summary field of an `edgesim sweep` file against one or two varied keys.

usage: plot_sweep.py SWEEP.h5 FIELD --x KEY [--y KEY | --by KEY] [--where KEY=VALUE]...
                     [--tenant NAME] [-o sweep.png]

FIELD is a summary column of /points (loss_ratio, latency_mean, latency_p95, throughput,
effective_accuracy, energy_j, ...). With --x only: FIELD against KEY, the mean over the
replications of each point with its 95 % Student-t band; --by KEY draws one line per
value of a second key. With --y: a heat map of the mean over (x, y). Varied keys on no
axis must be fixed with --where KEY=VALUE (or have one value). Failed runs (non-zero
exit_code or signal) are left out. --tenant reads /points_tenants for that tenant
instead of the "all" rows. Prints the PNG's path; exit code 1 with a one-line message
when the file, the field or a key is wrong.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

PROG = "plot_sweep"


class SweepFileError(Exception):
    """The file, the field or a key does not fit."""


def _text(value) -> str:
    if isinstance(value, (bytes, np.bytes_)):
        value = bytes(value).split(b"\0", 1)[0].decode("utf-8", "replace")
    return str(value)


def varied_keys(meta_vary: str) -> list[str]:
    """The keys of the /meta `vary` attribute ("KEY=SPEC" per line), in order."""
    return [line.split("=", 1)[0] for line in meta_vary.splitlines() if "=" in line]


def load_points(path: str, tenant: str | None = None) -> tuple[dict, list[str]]:
    """Columns of /points (or the rows of one tenant in /points_tenants) and the varied keys."""
    import h5py

    try:
        with h5py.File(path, "r") as f:
            if "points" not in f or "meta" not in f:
                raise SweepFileError(f"{path}: not an edgesim sweep file (no /points or /meta)")
            keys = varied_keys(_text(f["meta"].attrs.get("vary", "")))
            data = f["points_tenants" if tenant else "points"][()]
    except OSError as e:
        raise SweepFileError(f"{path}: cannot read HDF5: {e}") from None
    table = {}
    for name in data.dtype.names:
        column = data[name]
        table[name] = (np.array([_text(v) for v in column], dtype=object)
                       if column.dtype.kind in "SUO" else np.asarray(column, dtype=float))
    if tenant:
        keep = table["tenant"] == tenant
        if not keep.any():
            names = sorted(set(table["tenant"]))
            raise SweepFileError(f"{path}: no tenant {tenant!r} (tenants: {', '.join(names)})")
        table = {k: v[keep] for k, v in table.items()}
    return table, keys


def t_quantile(dof: int) -> float:
    """Two-sided 95 % Student-t quantile."""
    from scipy.stats import t

    return float(t.ppf(0.975, dof))


def aggregate(table: dict, field: str, axes: list[str]) -> dict:
    """{(value of each axis key): (mean, ci95 half-width, n)} over successful runs.

    The half-width is NaN with fewer than two replications."""
    if field not in table:
        raise SweepFileError(f"no field {field!r} in /points")
    ok = (table["exit_code"] == 0) & (table["signal"] == 0)
    groups = defaultdict(list)
    for i in np.flatnonzero(ok):
        groups[tuple(table[k][i] for k in axes)].append(table[field][i])
    out = {}
    for key, values in groups.items():
        v = np.asarray(values, dtype=float)
        n = v.size
        mean = float(v.mean())
        hw = float(t_quantile(n - 1) * v.std(ddof=1) / math.sqrt(n)) if n >= 2 else math.nan
        out[key] = (mean, hw, n)
    return out


def select(table: dict, keys: list[str], on_axes: list[str], where: dict) -> dict:
    """Rows matching --where; every varied key not on an axis must then be single-valued."""
    rows = np.ones(len(table["point"]), dtype=bool)
    for key, value in where.items():
        if key not in keys:
            raise SweepFileError(f"--where {key}: not a varied key (varied: {', '.join(keys)})")
        column = table[key]
        if column.dtype == object:
            rows &= column == value
        else:
            rows &= np.isclose(column, float(value))
    table = {k: v[rows] for k, v in table.items()}
    if not rows.any():
        raise SweepFileError("no rows match the --where conditions")
    for key in keys:
        if key in on_axes:
            continue
        if len(set(table[key].tolist())) > 1:
            raise SweepFileError(f"key {key} varies too: put it on an axis (--by/--y) or fix it with --where {key}=VALUE")
    return table


def _sorted_values(values):
    return sorted(set(values), key=lambda v: (isinstance(v, str), v))


def plot_lines(table: dict, field: str, x: str, by: str | None, out: str, title: str) -> None:
    fig, ax = plt.subplots(figsize=(7, 4.5))
    series = _sorted_values(table[by].tolist()) if by else [None]
    for value in series:
        rows = table if by is None else {k: v[table[by] == value] for k, v in table.items()}
        stats = aggregate(rows, field, [x])
        xs = _sorted_values(k[0] for k in stats)
        mean = np.array([stats[(v,)][0] for v in xs])
        hw = np.array([stats[(v,)][1] for v in xs])
        positions = np.arange(len(xs)) if any(isinstance(v, str) for v in xs) else np.asarray(xs, float)
        label = None if by is None else f"{by} = {value}"
        ax.plot(positions, mean, marker="o", label=label)
        band = np.nan_to_num(hw)
        ax.fill_between(positions, mean - band, mean + band, alpha=0.25)
        if any(isinstance(v, str) for v in xs):
            ax.set_xticks(positions, [str(v) for v in xs])
    ax.set_xlabel(x)
    ax.set_ylabel(f"{field} (mean, 95 % CI)")
    ax.set_title(title)
    if by:
        ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


def heat_grid(table: dict, field: str, x: str, y: str):
    """(x values, y values, matrix of means [y][x], NaN where no run succeeded)."""
    stats = aggregate(table, field, [x, y])
    xs = _sorted_values(table[x].tolist())
    ys = _sorted_values(table[y].tolist())
    grid = np.full((len(ys), len(xs)), np.nan)
    for (xv, yv), (mean, _, _) in stats.items():
        grid[ys.index(yv), xs.index(xv)] = mean
    return xs, ys, grid


def plot_heat(table: dict, field: str, x: str, y: str, out: str, title: str) -> None:
    xs, ys, grid = heat_grid(table, field, x, y)
    fig, ax = plt.subplots(figsize=(7, 5))
    image = ax.imshow(grid, origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(len(xs)), [f"{v:g}" if isinstance(v, float) else str(v) for v in xs])
    ax.set_yticks(range(len(ys)), [f"{v:g}" if isinstance(v, float) else str(v) for v in ys])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(title)
    fig.colorbar(image, ax=ax, label=f"{field} (mean)")
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


def parse_where(items: list[str]) -> dict:
    where = {}
    for item in items:
        if "=" not in item:
            raise SweepFileError(f"--where {item}: expected KEY=VALUE")
        key, value = item.split("=", 1)
        where[key] = value
    return where


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("file")
    parser.add_argument("field")
    parser.add_argument("--x", required=True)
    parser.add_argument("--y")
    parser.add_argument("--by")
    parser.add_argument("--where", action="append", default=[])
    parser.add_argument("--tenant")
    parser.add_argument("-o", "--output")
    args = parser.parse_args(argv)
    try:
        if not os.path.exists(args.file):
            raise SweepFileError(f"{args.file}: no such file")
        if args.y and args.by:
            raise SweepFileError("--y (heat map) and --by (lines) exclude each other")
        table, keys = load_points(args.file, args.tenant)
        axes = [k for k in (args.x, args.y, args.by) if k]
        for key in axes:
            if key not in keys:
                raise SweepFileError(f"{key}: not a varied key of {args.file} (varied: {', '.join(keys)})")
        table = select(table, keys, axes, parse_where(args.where))
        out = args.output or os.path.splitext(args.file)[0] + f"-{args.field}.png"
        title = f"{os.path.basename(args.file)}" + (f", tenant {args.tenant}" if args.tenant else "")
        if args.y:
            plot_heat(table, args.field, args.x, args.y, out, title)
        else:
            plot_lines(table, args.field, args.x, args.by, out, title)
    except SweepFileError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
