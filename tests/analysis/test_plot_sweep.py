"""Tests for analysis/plot_sweep.py on synthetic `edgesim sweep` files."""

import math
import subprocess

import h5py
import numpy as np
import pytest

import plot_sweep
from conftest import ANALYSIS_DIR

PYTHON = "/usr/bin/python3"
SCRIPT = str(ANALYSIS_DIR / "plot_sweep.py")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

SUMMARY = ["loss_ratio", "latency_mean"]


def write_sweep(path, rows, tenants=False):
    """rows: (rate, policy, point, rep, exit_code, loss_ratio, latency_mean)."""
    fields = [("tenants.0.arrival.rate", "<f8"), ("exits.policy", "S64"), ("point", "<u8"), ("rep", "<u4"),
              ("seed", "<u8"), ("exit_code", "<i4"), ("signal", "<i4"), ("error", "S256")]
    if tenants:
        fields.append(("tenant", "S64"))
    fields += [("offered", "<u8")] + [(n, "<f8") for n in SUMMARY]
    data = np.zeros(len(rows), np.dtype(fields))
    for i, (rate, policy, point, rep, code, loss, latency) in enumerate(rows):
        data[i]["tenants.0.arrival.rate"] = rate
        data[i]["exits.policy"] = policy.encode()
        data[i]["point"] = point
        data[i]["rep"] = rep
        data[i]["exit_code"] = code
        data[i]["loss_ratio"] = loss
        data[i]["latency_mean"] = latency
        if tenants:
            data[i]["tenant"] = b"cam" if i % 2 == 0 else b"mic"
    with h5py.File(path, "w") as f:
        f.create_dataset("points", data=data)
        if tenants:
            f.create_dataset("points_tenants", data=data)
        meta = f.create_group("meta")
        meta.attrs["vary"] = "tenants.0.arrival.rate=1,2\nexits.policy=none,threshold\n"
    return str(path)


ROWS = [
    # rate, policy, point, rep, exit, loss, latency
    (1.0, "none", 0, 0, 0, 0.10, 1.0),
    (1.0, "none", 0, 1, 0, 0.20, 2.0),
    (1.0, "none", 0, 2, 0, 0.30, 3.0),
    (1.0, "threshold", 1, 0, 0, 0.05, 0.5),
    (1.0, "threshold", 1, 1, 1, math.nan, math.nan),  # failed run: left out
    (2.0, "none", 2, 0, 0, 0.40, 4.0),
    (2.0, "none", 2, 1, 0, 0.60, 6.0),
    (2.0, "threshold", 3, 0, 0, 0.25, 2.5),
    (2.0, "threshold", 3, 1, 0, 0.35, 3.5),
]


def test_varied_keys_from_meta():
    assert plot_sweep.varied_keys("a.b=1,2\nc=0:1:0.5\n") == ["a.b", "c"]


def test_aggregate_mean_ci_and_failures(tmp_path):
    table, keys = plot_sweep.load_points(write_sweep(tmp_path / "s.h5", ROWS))
    assert keys == ["tenants.0.arrival.rate", "exits.policy"]
    stats = plot_sweep.aggregate(table, "latency_mean", keys)
    mean, hw, n = stats[(1.0, "none")]
    assert (mean, n) == (2.0, 3)
    # s = 1, t(0.975, 2) = 4.3027
    assert hw == pytest.approx(4.302652729911275 / math.sqrt(3))
    mean, hw, n = stats[(1.0, "threshold")]
    assert (mean, n) == (0.5, 1) and math.isnan(hw)
    with pytest.raises(plot_sweep.SweepFileError):
        plot_sweep.aggregate(table, "nope", keys)


def test_select_requires_fixing_other_keys(tmp_path):
    table, keys = plot_sweep.load_points(write_sweep(tmp_path / "s.h5", ROWS))
    with pytest.raises(plot_sweep.SweepFileError, match="exits.policy varies too"):
        plot_sweep.select(table, keys, ["tenants.0.arrival.rate"], {})
    picked = plot_sweep.select(table, keys, ["tenants.0.arrival.rate"], {"exits.policy": "none"})
    assert sorted(set(picked["point"].tolist())) == [0, 2]
    picked = plot_sweep.select(table, keys, ["exits.policy"], {"tenants.0.arrival.rate": "2"})
    assert sorted(set(picked["point"].tolist())) == [2, 3]


def test_heat_grid(tmp_path):
    table, _ = plot_sweep.load_points(write_sweep(tmp_path / "s.h5", ROWS))
    xs, ys, grid = plot_sweep.heat_grid(table, "loss_ratio", "tenants.0.arrival.rate", "exits.policy")
    assert xs == [1.0, 2.0] and ys == ["none", "threshold"]
    assert grid[0, 0] == pytest.approx(0.2)
    assert grid[1, 1] == pytest.approx(0.3)
    assert grid[1, 0] == pytest.approx(0.05)


def test_tenant_rows(tmp_path):
    table, _ = plot_sweep.load_points(write_sweep(tmp_path / "s.h5", ROWS, tenants=True), tenant="mic")
    assert len(table["point"]) == 4
    with pytest.raises(plot_sweep.SweepFileError, match="no tenant"):
        plot_sweep.load_points(str(tmp_path / "s.h5"), tenant="zzz")


@pytest.mark.parametrize("extra", [["--by", "exits.policy"], ["--y", "exits.policy"]])
def test_cli_writes_png(tmp_path, mpl_env, extra):
    path = write_sweep(tmp_path / "s.h5", ROWS)
    out = tmp_path / "p.png"
    result = subprocess.run([PYTHON, SCRIPT, path, "loss_ratio", "--x", "tenants.0.arrival.rate", "-o", str(out)]
                            + extra, capture_output=True, text=True, env=mpl_env, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out)
    assert out.read_bytes()[:8] == PNG_MAGIC


def test_cli_errors_are_one_line(tmp_path, mpl_env):
    path = write_sweep(tmp_path / "s.h5", ROWS)
    for args in (["loss_ratio", "--x", "nokey"], ["nofield", "--x", "tenants.0.arrival.rate", "--by",
                                                  "exits.policy"]):
        result = subprocess.run([PYTHON, SCRIPT, path] + args, capture_output=True, text=True, env=mpl_env,
                                check=False)
        assert result.returncode == 1
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("plot_sweep: error:")
    result = subprocess.run([PYTHON, SCRIPT, str(tmp_path / "missing.h5"), "f", "--x", "k"], capture_output=True,
                            text=True, env=mpl_env, check=False)
    assert result.returncode == 1
