#!/usr/bin/python3
"""Plot the table of `edgesim validate`: loss probability against offered load.

usage: plot_validate.py VAL.h5|VAL.csv [-o loss_vs_load.png] [--log]

One panel per capacity K: the simulated loss (replication mean with its 95 % Student-t
error bar), the exact M/G/1/K loss (solid line) and Smith's approximation (dashed, left
out where it is not defined). Reads the /validation dataset of the HDF5 file or the CSV
written with --csv (same columns). Prints the PNG's path. Exit code 1 with a one-line
message when the file is missing or invalid.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

PROG = "plot_validate"
# Columns the plot needs; the files hold more (see docs/validate.md).
NUMERIC_COLUMNS = ("rho", "K", "sim_loss", "sim_loss_hw95", "exact_loss", "smith_loss")
COLUMNS = ("dist",) + NUMERIC_COLUMNS


class ValidationFileError(Exception):
    """The file is missing, unreadable or lacks a needed column."""


def _decode(value) -> str:
    if isinstance(value, (bytes, np.bytes_)):
        value = bytes(value).split(b"\0", 1)[0].decode("utf-8", "replace")
    return str(value).split("\0", 1)[0]


def _load_hdf5(path: str) -> dict:
    import h5py

    try:
        with h5py.File(path, "r") as f:
            if "validation" not in f:
                raise ValidationFileError(f"{path}: no /validation dataset")
            data = f["validation"][()]
    except OSError as e:
        raise ValidationFileError(f"{path}: cannot read HDF5: {e}") from None
    names = data.dtype.names or ()
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise ValidationFileError(f"{path}: /validation lacks column {missing[0]}")
    table = {c: np.asarray(data[c], dtype=float) for c in NUMERIC_COLUMNS}
    table["dist"] = np.array([_decode(d) for d in data["dist"]], dtype=object)
    return table


def _load_csv(path: str) -> dict:
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        raise ValidationFileError(f"{path}: {e.strerror or e}") from None
    if not rows:
        raise ValidationFileError(f"{path}: no rows")
    missing = [c for c in COLUMNS if c not in rows[0]]
    if missing:
        raise ValidationFileError(f"{path}: no column {missing[0]}")
    table = {}
    for c in NUMERIC_COLUMNS:
        try:
            table[c] = np.array([float(r[c]) if r[c] not in ("", "-") else math.nan for r in rows])
        except ValueError:
            raise ValidationFileError(f"{path}: column {c} is not numeric") from None
    table["dist"] = np.array([r["dist"] for r in rows], dtype=object)
    return table


def load_validation(path) -> dict:
    """The validation table as {column: numpy array} (columns COLUMNS; `dist` as str).

    HDF5 (/validation of `edgesim validate -o`) or CSV (`--csv`), chosen by content:
    a file starting with the HDF5 signature is read as HDF5, anything else as CSV.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise ValidationFileError(f"{path}: no such file")
    with open(path, "rb") as f:
        is_hdf5 = f.read(8) == b"\x89HDF\r\n\x1a\n"
    return _load_hdf5(path) if is_hdf5 else _load_csv(path)


def series_by_k(table: dict) -> dict:
    """{K: {dist: {"rho", "sim", "hw", "exact", "smith"}}}, each sorted by rho.

    These are exactly the values the plot draws.
    """
    out: dict = {}
    ks = table["K"].astype(int)
    for k in sorted(set(ks.tolist())):
        out[k] = {}
        for dist in sorted(set(table["dist"][ks == k].tolist())):
            sel = (ks == k) & (table["dist"] == dist)
            order = np.argsort(table["rho"][sel], kind="stable")
            out[k][dist] = {
                "rho": table["rho"][sel][order],
                "sim": table["sim_loss"][sel][order],
                "hw": table["sim_loss_hw95"][sel][order],
                "exact": table["exact_loss"][sel][order],
                "smith": table["smith_loss"][sel][order],
            }
    return out


def plot_loss_vs_load(table: dict, out_path, log: bool = False, title: str | None = None):
    """Draws one panel per K, saves the PNG and returns the figure."""
    series = series_by_k(table)
    n = len(series)
    cols = min(n, 2) if n > 1 else 1
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.8 * rows), squeeze=False)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for idx, (k, by_dist) in enumerate(series.items()):
        ax = axes[idx // cols][idx % cols]
        for j, (dist, s) in enumerate(by_dist.items()):
            if len(by_dist) == 1:  # one law: a colour per curve
                suffix, sim_color, exact_color, smith_color = "", colors[0], "black", colors[1 % len(colors)]
            else:  # several laws: a colour per law, the curve told by its style
                suffix = f" ({dist})"
                sim_color = exact_color = smith_color = colors[j % len(colors)]
            ax.errorbar(s["rho"], s["sim"], yerr=s["hw"], fmt="o", color=sim_color, capsize=3, ms=4, zorder=3,
                        label=f"simulation ± 95 % CI{suffix}", gid=f"sim:{dist}")
            ax.plot(s["rho"], s["exact"], "-", color=exact_color, lw=1.2, label=f"exact M/G/1/K{suffix}",
                    gid=f"exact:{dist}")
            if np.isfinite(s["smith"]).any():
                ax.plot(s["rho"], s["smith"], "--", color=smith_color, lw=1.5, label=f"Smith approx.{suffix}",
                        gid=f"smith:{dist}", zorder=2.5)
        if log:
            ax.set_yscale("log")
        ax.set_title(f"K = {k}")
        ax.set_xlabel("offered load ρ")
        ax.set_ylabel("loss probability")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small")
    for idx in range(n, rows * cols):
        axes[idx // cols][idx % cols].set_visible(False)
    dists = sorted(set(table["dist"].tolist()))
    fig.suptitle(title or f"M/G/1/K loss vs load — service {', '.join(dists)}")
    fig.tight_layout()
    fig.savefig(out_path, dpi=110)
    return fig


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("table", help="edgesim validate output: VAL.h5 (-o) or VAL.csv (--csv)")
    parser.add_argument("-o", "--output", help="PNG to write (default: loss_vs_load.png next to the input)")
    parser.add_argument("--log", action="store_true", help="logarithmic loss axis")
    args = parser.parse_args(argv)
    out = args.output or os.path.join(os.path.dirname(os.path.abspath(args.table)), "loss_vs_load.png")
    try:
        table = load_validation(args.table)
        if table["rho"].size == 0:
            raise ValidationFileError(f"{args.table}: empty table")
        fig = plot_loss_vs_load(table, out, log=args.log)
        plt.close(fig)
    except ValidationFileError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"{PROG}: error: {out}: {e.strerror or e}", file=sys.stderr)
        return 1
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
