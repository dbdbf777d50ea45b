"""Tests for analysis/plot_validate.py on synthetic `edgesim validate` tables."""

import math
import subprocess

import h5py
import numpy as np
import pytest

import plot_validate
from conftest import ANALYSIS_DIR

PYTHON = "/usr/bin/python3"
SCRIPT = str(ANALYSIS_DIR / "plot_validate.py")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# The /validation row layout written by src/validate/validation.cpp.
VALIDATION_DTYPE = np.dtype([
    ("dist", "S16"), ("rho", "<f8"), ("K", "<i4"), ("reps", "<u4"), ("requests", "<u8"),
    ("lambda", "<f8"), ("mean_service", "<f8"), ("scv", "<f8"), ("offered", "<u8"), ("lost", "<u8"),
    ("sim_loss", "<f8"), ("sim_loss_hw95", "<f8"), ("sim_loss_lo", "<f8"), ("sim_loss_hi", "<f8"),
    ("exact_loss", "<f8"), ("smith_loss", "<f8"), ("loss_abs_err", "<f8"), ("loss_in_ci", "u1"),
    ("sim_response", "<f8"), ("sim_response_hw95", "<f8"), ("sim_response_lo", "<f8"),
    ("sim_response_hi", "<f8"), ("exact_response", "<f8"), ("response_abs_err", "<f8"),
    ("response_in_ci", "u1"),
])

# (rho, K, sim, hw, exact, smith); rows deliberately not sorted by rho; one Smith NaN.
POINTS = [
    (1.2, 1, 0.5461, 0.0042, 0.5455, 0.5455),
    (0.5, 1, 0.3330, 0.0051, 0.3333, 0.3333),
    (0.9, 1, 0.4741, 0.0040, 0.4737, 0.4737),
    (0.5, 5, 0.0158, 0.0011, 0.0159, 0.0160),
    (1.2, 5, 0.2330, 0.0060, 0.2326, math.nan),
    (0.9, 5, 0.1378, 0.0030, 0.1375, 0.1380),
]


def make_rows():
    rows = np.zeros(len(POINTS), VALIDATION_DTYPE)
    for i, (rho, k, sim, hw, exact, smith) in enumerate(POINTS):
        rows[i]["dist"] = b"exp"
        rows[i]["rho"], rows[i]["K"] = rho, k
        rows[i]["reps"], rows[i]["requests"] = 10, 20000
        rows[i]["lambda"], rows[i]["mean_service"], rows[i]["scv"] = rho / 0.01, 0.01, 1.0
        rows[i]["sim_loss"], rows[i]["sim_loss_hw95"] = sim, hw
        rows[i]["sim_loss_lo"], rows[i]["sim_loss_hi"] = sim - 2 * hw, sim + 2 * hw
        rows[i]["exact_loss"], rows[i]["smith_loss"] = exact, smith
        rows[i]["loss_abs_err"] = abs(sim - exact)
        rows[i]["loss_in_ci"] = rows[i]["response_in_ci"] = 1
        rows[i]["sim_response"] = rows[i]["exact_response"] = 0.02
    return rows


@pytest.fixture
def h5_table(tmp_path):
    path = tmp_path / "val.h5"
    with h5py.File(path, "w") as f:
        ds = f.create_dataset("validation", data=make_rows())
        ds.attrs["command_line"] = "edgesim validate --rho 0.5,0.9,1.2 --K 1,5"
    return path


@pytest.fixture
def csv_table(tmp_path):
    rows = make_rows()
    path = tmp_path / "val.csv"
    with open(path, "w") as f:
        f.write(",".join(rows.dtype.names) + "\n")
        for r in rows:
            cells = []
            for name in rows.dtype.names:
                v = r[name]
                if name == "dist":
                    cells.append(v.decode())
                elif isinstance(v, (float, np.floating)) and math.isnan(v):
                    cells.append("nan")
                else:
                    cells.append(repr(v.item()))
            f.write(",".join(cells) + "\n")
    return path


def expected_by_k():
    out = {}
    for rho, k, sim, hw, exact, smith in sorted(POINTS, key=lambda p: (p[1], p[0])):
        out.setdefault(k, []).append((rho, sim, hw, exact, smith))
    return out


def check_table(table):
    assert list(table["dist"]) == ["exp"] * len(POINTS)
    for i, (rho, k, sim, hw, exact, smith) in enumerate(POINTS):
        assert table["rho"][i] == rho and table["K"][i] == k
        assert table["sim_loss"][i] == sim and table["sim_loss_hw95"][i] == hw
        assert table["exact_loss"][i] == exact
        assert table["smith_loss"][i] == smith or (math.isnan(smith) and math.isnan(table["smith_loss"][i]))


def check_series(series):
    assert list(series) == [1, 5]
    for k, points in expected_by_k().items():
        s = series[k]["exp"]
        rho, sim, hw, exact, smith = (np.array(c) for c in zip(*points))
        np.testing.assert_array_equal(s["rho"], rho)
        np.testing.assert_array_equal(s["sim"], sim)
        np.testing.assert_array_equal(s["hw"], hw)
        np.testing.assert_array_equal(s["exact"], exact)
        np.testing.assert_array_equal(s["smith"], smith)  # NaN == NaN for assert_array_equal


def assert_png(path):
    assert path.is_file() and path.stat().st_size > 0
    assert path.read_bytes()[:8] == PNG_MAGIC
    import matplotlib.image as mpimg
    img = mpimg.imread(str(path))
    assert img.ndim == 3 and img.shape[0] > 100 and img.shape[1] > 100


def test_load_hdf5_and_csv_give_the_input(h5_table, csv_table):
    check_table(plot_validate.load_validation(h5_table))
    check_table(plot_validate.load_validation(csv_table))
    check_series(plot_validate.series_by_k(plot_validate.load_validation(h5_table)))
    check_series(plot_validate.series_by_k(plot_validate.load_validation(csv_table)))


@pytest.mark.parametrize("fixture", ["h5_table", "csv_table"])
def test_plot_draws_the_loaded_values(fixture, request, tmp_path):
    table = plot_validate.load_validation(request.getfixturevalue(fixture))
    out = tmp_path / "loss_vs_load.png"
    fig = plot_validate.plot_loss_vs_load(table, out)
    assert_png(out)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in axes] == ["K = 1", "K = 5"]
    for ax, (k, points) in zip(axes, expected_by_k().items()):
        rho, sim, hw, exact, smith = (np.array(c) for c in zip(*points))
        lines = {line.get_gid(): line for line in ax.get_lines() if line.get_gid()}
        np.testing.assert_array_equal(lines["exact:exp"].get_xdata(), rho)
        np.testing.assert_array_equal(lines["exact:exp"].get_ydata(), exact)
        assert lines["exact:exp"].get_linestyle() == "-"
        np.testing.assert_array_equal(lines["smith:exp"].get_ydata(), smith)
        assert lines["smith:exp"].get_linestyle() == "--"
        # The error bar container: markers at the simulated means, bars of +- hw.
        (container,) = [c for c in ax.containers if c.get_label().startswith("simulation")]
        marker_line = container.lines[0]
        np.testing.assert_array_equal(marker_line.get_xdata(), rho)
        np.testing.assert_array_equal(marker_line.get_ydata(), sim)
        segments = container.lines[2][0].get_segments()
        np.testing.assert_allclose([s[0][1] for s in segments], sim - hw)
        np.testing.assert_allclose([s[1][1] for s in segments], sim + hw)
    import matplotlib.pyplot as plt
    plt.close(fig)


def test_cli_writes_png(h5_table, tmp_path, mpl_env):
    out = tmp_path / "plots" / "val.png"
    out.parent.mkdir()
    proc = subprocess.run([PYTHON, SCRIPT, str(h5_table), "-o", str(out), "--log"], env=mpl_env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(out)
    assert_png(out)


def test_cli_default_output_next_to_input(csv_table, mpl_env):
    proc = subprocess.run([PYTHON, SCRIPT, str(csv_table)], env=mpl_env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert_png(csv_table.parent / "loss_vs_load.png")


@pytest.mark.parametrize("content", [None, "rho,K\n0.5,1\n", b"\x89HDF\r\n\x1a\ngarbage"])
def test_cli_bad_input_is_one_line_error(tmp_path, mpl_env, content):
    path = tmp_path / "bad.h5"
    if isinstance(content, str):
        path.write_text(content)
    elif content is not None:
        path.write_bytes(content)
    proc = subprocess.run([PYTHON, SCRIPT, str(path), "-o", str(tmp_path / "x.png")], env=mpl_env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.startswith("plot_validate: error: ") and proc.stderr.count("\n") == 1, proc.stderr
    assert not (tmp_path / "x.png").exists()


def test_hdf5_without_validation_dataset(tmp_path):
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("summary", data=np.zeros(1))
    with pytest.raises(plot_validate.ValidationFileError, match="no /validation"):
        plot_validate.load_validation(path)
