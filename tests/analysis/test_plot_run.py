"""Tests for analysis/edgesim_h5.py and analysis/plot_run.py."""

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

import edgesim_h5
import plot_run
import h5py
from conftest import ANALYSIS_DIR, HOSTS, REPO_ROOT, REQUEST_DTYPE, TENANTS, timeline_rows, write_run

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PLOT_NAMES = ["latency_cdf", "queue_length", "power", "exit_histogram"]
PYTHON = "/usr/bin/python3"
SCRIPT = str(ANALYSIS_DIR / "plot_run.py")


def assert_png(path):
    path = Path(path)
    assert path.is_file(), path
    assert path.stat().st_size > 0, path
    with open(path, "rb") as f:
        assert f.read(8) == PNG_MAGIC, path
    import matplotlib.image as mpimg
    img = mpimg.imread(str(path))
    assert img.ndim == 3 and img.shape[0] > 100 and img.shape[1] > 100


# ---------------------------------------------------------------- loader

def test_load_run_names_meta_and_arrays(run_file):
    run = edgesim_h5.load_run(run_file)
    assert run.host_names == HOSTS
    assert run.tenant_names == TENANTS
    assert run.n_requests == 13 and run.requests.size == 13
    assert run.requests.dtype.names == edgesim_h5.REQUEST_FIELDS
    assert run.timeline.size == 12 and run.hosts.size == 2 and run.summary.size == 3
    assert int(run.summary_row("all")["offered"]) == 13
    assert int(run.summary_row("camera")["lost"]) == 2
    assert run.meta["git_describe"] == "v0.1.0-3-gabc1234"   # fixed-length attr decoded
    assert run.meta["edgesim_version"] == "0.1.0"
    assert run.meta["seed"] == 42 and isinstance(run.meta["seed"], int)
    assert run.meta["interrupted"] == 0
    assert set(edgesim_h5.META_ATTRS) <= set(run.meta)
    lost = run.requests[~edgesim_h5.served_mask(run.requests)]
    assert lost.size == 3 and np.isnan(lost["latency"]).all()
    assert sorted(lost["reason"].tolist()) == [1, 2, 3]


def test_load_run_without_requests(run_file):
    run = edgesim_h5.load_run(run_file, requests=False)
    assert run.requests is None and run.n_requests == 13


def test_decode_name_strips_nuls():
    assert edgesim_h5.decode_name(b"edge-0" + b"\0" * 58) == "edge-0"
    assert edgesim_h5.decode_name(np.bytes_(b"a\0garbage")) == "a"
    assert edgesim_h5.decode_name("x\0") == "x"


def test_cdf_is_sorted_served_latencies(run_file):
    stats = edgesim_h5.scan_requests(run_file)
    x0, y0 = stats.cdf_xy(0)
    np.testing.assert_array_equal(x0, [0.010, 0.012, 0.030, 0.041, 0.045, 0.050])
    np.testing.assert_allclose(y0, np.arange(1, 7) / 6)
    x1, _ = stats.cdf_xy(1)
    np.testing.assert_array_equal(x1, [0.008, 0.020, 0.022, 0.025])
    assert not any(stats.cdf_subsampled.values())
    # Same CDF from the loaded array.
    req = edgesim_h5.load_run(run_file).requests
    s = edgesim_h5.served_mask(req) & (req["tenant"] == 0)
    np.testing.assert_array_equal(x0, np.sort(req["latency"][s]))


def test_exit_fractions_hand_computed(run_file):
    stats = edgesim_h5.scan_requests(run_file, chunk_rows=3)
    assert stats.n_tenants == 2 and stats.n_exits == 3
    assert stats.offered.tolist() == [8, 5]
    assert stats.served.tolist() == [6, 4]
    assert stats.lost.tolist() == [2, 1]
    assert stats.exit_counts.tolist() == [[2, 1, 3], [1, 3, 0]]
    # columns: exit 0, exit 1, exit 2, lost  (over the tenant's offered requests)
    np.testing.assert_allclose(stats.exit_fractions(),
                               [[2 / 8, 1 / 8, 3 / 8, 2 / 8],
                                [1 / 5, 3 / 5, 0.0, 1 / 5]])
    assert stats.lost_by_reason.tolist() == [[0, 1, 1, 0, 0], [0, 0, 0, 1, 0]]


def test_chunked_scan_matches_single_chunk(run_file):
    a = edgesim_h5.scan_requests(run_file, chunk_rows=1)
    b = edgesim_h5.scan_requests(run_file, chunk_rows=10_000)
    assert a.exit_counts.tolist() == b.exit_counts.tolist()
    for t in (0, 1):
        np.testing.assert_array_equal(a.cdf[t], b.cdf[t])


def test_cdf_subsampling_bounded_and_deterministic(large_run_file):
    path, req = large_run_file
    served = (req["exit"] >= 0)
    n0 = int((served & (req["tenant"] == 0)).sum())
    n1 = int((served & (req["tenant"] == 1)).sum())
    assert n0 > 1000 and n1 < 1000
    a = edgesim_h5.scan_requests(path, max_cdf_points=1000, chunk_rows=333)
    b = edgesim_h5.scan_requests(path, max_cdf_points=1000, chunk_rows=4096)
    assert a.cdf[0].size == 1000 and a.cdf_subsampled[0]
    np.testing.assert_array_equal(a.cdf[0], b.cdf[0])          # deterministic
    assert np.all(np.diff(a.cdf[0]) >= 0)
    assert np.isin(a.cdf[0], req["latency"][served & (req["tenant"] == 0)]).all()
    # Tenant 1 is under the bound: exact.
    np.testing.assert_array_equal(
        a.cdf[1], np.sort(req["latency"][served & (req["tenant"] == 1)]))
    assert not a.cdf_subsampled[1]
    assert a.served.tolist() == [n0, n1]
    # Evenly spaced selection keeps the median close to the exact one.
    exact = np.sort(req["latency"][served & (req["tenant"] == 0)])
    assert abs(np.median(a.cdf[0]) - np.median(exact)) < 0.05 * np.median(exact)
    full = edgesim_h5.scan_requests(path)
    np.testing.assert_array_equal(full.cdf[0], exact)


# ---------------------------------------------------------------- plotting

def test_main_writes_four_pngs(run_file, tmp_path, capsys):
    out = tmp_path / "plots"
    assert plot_run.main([str(run_file), "-o", str(out)]) == 0
    printed = capsys.readouterr().out.split()
    expected = [str(out / f"{n}.png") for n in PLOT_NAMES]
    assert printed == expected
    for p in expected:
        assert_png(p)


def test_prefix_logx_and_default_outdir(run_file, capsys):
    assert plot_run.main([str(run_file), "--prefix", "q1", "--logx"]) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [str(run_file.parent / f"q1_{n}.png") for n in PLOT_NAMES]
    for p in printed:
        assert_png(p)


def test_power_twin_axis_only_with_battery(run_file, run_file_no_battery):
    import matplotlib.pyplot as plt
    run = edgesim_h5.load_run(run_file, requests=False)
    assert plot_run.battery_hosts(run) == [1]
    fig = plot_run.figure_power(run)
    assert len(fig.axes) == 2
    assert "[W]" in fig.axes[0].get_ylabel() and "%" in fig.axes[1].get_ylabel()
    plt.close(fig)
    run2 = edgesim_h5.load_run(run_file_no_battery, requests=False)
    assert plot_run.battery_hosts(run2) == []
    fig = plot_run.figure_power(run2)
    assert len(fig.axes) == 1
    plt.close(fig)


def test_figures_plot_the_loader_data(run_file):
    import matplotlib.pyplot as plt
    run = edgesim_h5.load_run(run_file, requests=False)
    stats = edgesim_h5.scan_requests(run_file)
    fig = plot_run.figure_latency_cdf(run, stats)
    lines = fig.axes[0].get_lines()
    assert len(lines) == 2
    np.testing.assert_allclose(lines[0].get_xdata(),
                               np.array([0.010, 0.012, 0.030, 0.041, 0.045, 0.050]) * 1e3)
    assert "[ms]" in fig.axes[0].get_xlabel()
    plt.close(fig)
    fig = plot_run.figure_exit_histogram(run, stats)
    heights = [p.get_height() for p in fig.axes[0].patches]
    np.testing.assert_allclose(heights, [2 / 8, 1 / 8, 3 / 8, 2 / 8,
                                         1 / 5, 3 / 5, 0.0, 1 / 5])
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == [
        "exit 0", "exit 1", "exit 2", "lost"]
    plt.close(fig)
    # A file without queue_mean: the sampled queue_len, faint, and its rolling mean, bold
    # and labelled.
    fig = plot_run.figure_queue_length(run, smooth=0)
    lines = fig.axes[0].get_lines()
    labelled = [ln for ln in lines if not ln.get_label().startswith("_")]
    assert [ln.get_label() for ln in labelled] == HOSTS
    assert list(labelled[0].get_ydata()) == [0, 2, 3, 1, 4, 0]
    assert list(lines[0].get_ydata()) == [0, 2, 3, 1, 4, 0]
    plt.close(fig)


def test_empty_requests_still_plots(tmp_path, capsys):
    path = write_run(tmp_path / "empty.h5",
                     requests=np.zeros(0, dtype=REQUEST_DTYPE))
    assert plot_run.main([str(path), "-o", str(tmp_path / "o")]) == 0
    for p in capsys.readouterr().out.split():
        assert_png(p)


def test_cli_subprocess(run_file, tmp_path, mpl_env):
    out = tmp_path / "cli"
    r = subprocess.run([PYTHON, SCRIPT, str(run_file), "-o", str(out)],
                       capture_output=True, text=True, env=mpl_env, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == [str(out / f"{n}.png") for n in PLOT_NAMES]
    for n in PLOT_NAMES:
        assert_png(out / f"{n}.png")


# ---------------------------------------------------------------- errors

def _one_line_error(capsys, name):
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("plot_run: error:"), err
    assert str(name) in err
    return err


def test_missing_file(tmp_path, capsys):
    missing = tmp_path / "nope.h5"
    assert plot_run.main([str(missing), "-o", str(tmp_path)]) == 1
    assert "no such file" in _one_line_error(capsys, missing)


def test_not_hdf5(tmp_path, capsys):
    bad = tmp_path / "bad.h5"
    bad.write_text("not hdf5\n")
    assert plot_run.main([str(bad), "-o", str(tmp_path)]) == 1
    assert "HDF5" in _one_line_error(capsys, bad)


def test_missing_dataset(tmp_path, capsys):
    path = write_run(tmp_path / "noreq.h5", skip=("timeline",))
    assert plot_run.main([str(path), "-o", str(tmp_path)]) == 1
    assert "/timeline" in _one_line_error(capsys, path)


def test_missing_field(tmp_path, capsys):
    path = write_run(tmp_path / "nofield.h5", drop_fields={"requests": "exit"})
    assert plot_run.main([str(path), "-o", str(tmp_path)]) == 1
    assert "exit" in _one_line_error(capsys, path)
    assert not list(tmp_path.glob("*.png"))


def test_missing_file_subprocess(tmp_path, mpl_env):
    missing = tmp_path / "absent.h5"
    r = subprocess.run([PYTHON, SCRIPT, str(missing)], capture_output=True,
                       text=True, env=mpl_env, timeout=300)
    assert r.returncode == 1
    assert str(missing) in r.stderr and r.stderr.count("\n") == 1
    assert r.stdout == ""


# ---------------------------------------------------------------- real simulator

def test_real_run_if_available(tmp_path, capsys):
    """Runs the real simulator on scenarios/quickstart.toml when EDGESIM_BINARY
    points to an executable and the scenario exists; fails if that run fails."""
    binary = os.environ.get("EDGESIM_BINARY", "")
    if not binary or not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        pytest.skip("EDGESIM_BINARY not set or not an executable")
    scenario = REPO_ROOT / "scenarios" / "quickstart.toml"
    if not scenario.is_file():
        pytest.skip(f"{scenario} not present")
    out_h5 = tmp_path / "q.h5"
    r = subprocess.run([binary, "run", "scenarios/quickstart.toml", "-o", str(out_h5), "-q"],
                       cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"edgesim exited {r.returncode}: {r.stderr[-2000:]}"
    assert out_h5.is_file()
    run = edgesim_h5.load_run(out_h5, requests=False)
    assert run.host_names and run.tenant_names
    assert plot_run.main([str(out_h5), "-o", str(tmp_path / "plots")]) == 0
    for p in capsys.readouterr().out.split():
        assert_png(p)
    stats = edgesim_h5.scan_requests(out_h5)
    assert int(stats.offered.sum()) == run.n_requests
    # /summary counts requests arriving after the warm-up; /requests traces them all. The
    # plots count what /summary counts.
    assert run.warmup == run.meta["warmup_s"] > 0
    assert run.warmup == edgesim_h5.scenario_warmup(run.meta["scenario"])
    measured = edgesim_h5.scan_requests(out_h5, warmup=run.warmup)
    for t, name in enumerate(run.tenant_names):
        row = run.summary_row(name)
        assert int(measured.offered[t]) == int(row["offered"])
        assert int(measured.served[t]) == int(row["served"])
    assert int(measured.offered.sum()) < run.n_requests
    # queue_mean is the interval average: its time integral is the stations' area, so its
    # mean over the timeline is close to /hosts mean_queue (which spans the whole run).
    assert "queue_mean" in run.timeline.dtype.names
    every = float(np.median(np.diff(np.unique(run.timeline["t"]))))
    for h, rows in plot_run.host_series(run).items():
        integral = float(rows["queue_mean"][1:].sum()) * every
        span = float(rows["t"][-1])
        mean_queue = float(run.hosts["mean_queue"][h])
        assert integral / span == pytest.approx(mean_queue, rel=0.05, abs=1e-3), run.host_name(h)


# ---------------------------------------------------------------- warm-up, interval averages

def test_scenario_warmup_units():
    assert edgesim_h5.scenario_warmup('[simulation]\nwarmup = "2min"\n') == 120.0
    assert edgesim_h5.scenario_warmup('[simulation]\nwarmup = "500ms"\n') == 0.5
    assert edgesim_h5.scenario_warmup('[simulation]\nwarmup = 3\n') == 3.0
    assert edgesim_h5.scenario_warmup('[simulation]\nduration = "1s"\n') == 0.0
    assert edgesim_h5.scenario_warmup("not toml [") == 0.0


def test_warmup_requests_left_out_of_counts_and_cdf(tmp_path):
    path = write_run(tmp_path / "w.h5")
    with h5py.File(path, "a") as f:
        f["meta"].attrs["warmup_s"] = 0.3
    run = edgesim_h5.load_run(path, requests=True)
    assert run.warmup == 0.3
    stats = edgesim_h5.scan_requests(path, warmup=run.warmup)
    after = run.requests[run.requests["arrival"] >= 0.3]
    assert stats.offered.tolist() == [int((after["tenant"] == t).sum()) for t in (0, 1)]
    served0 = after[(after["tenant"] == 0) & (after["exit"] >= 0)]
    x0, _ = stats.cdf_xy(0)
    np.testing.assert_array_equal(x0, np.sort(served0["latency"]))
    # plot_run reads the warm-up from the file.
    fig = plot_run.figure_exit_histogram(run, stats)
    assert "after the warm-up" in fig.axes[0].get_ylabel()


def test_rolling_mean_is_the_trailing_time_average():
    t = np.arange(1.0, 11.0)
    v = np.array([0, 0, 3, 3, 0, 0, 6, 0, 0, 0], float)
    np.testing.assert_allclose(plot_run.rolling_mean(t, v, 3.0),
                               [0, 0, 1, 2, 2, 1, 2, 2, 2, 0])
    np.testing.assert_array_equal(plot_run.rolling_mean(t, v, 0), v)


def test_queue_panel_prefers_interval_means(tmp_path):
    import matplotlib.pyplot as plt
    rows = timeline_rows()
    dtype = np.dtype(rows.dtype.descr[:3] + [("queue_mean", "<f8")] + rows.dtype.descr[3:])
    with_mean = np.zeros(rows.size, dtype)
    for name in rows.dtype.names:
        with_mean[name] = rows[name]
    with_mean["queue_mean"] = np.arange(rows.size) * 0.5
    path = write_run(tmp_path / "q.h5", timeline=with_mean)
    with h5py.File(path, "a") as f:
        f["meta"].attrs["warmup_s"] = 0.2
    run = edgesim_h5.load_run(path, requests=False)
    fig = plot_run.figure_queue_length(run, smooth=0)
    ax = fig.axes[0]
    first = plot_run.host_series(run)[0]
    assert list(ax.get_lines()[0].get_ydata()) == list(first["queue_mean"])
    assert "interval mean" in ax.get_ylabel()
    # The warm-up is shaded and named in the legend.
    assert any("warm-up" in t.get_text() for t in ax.get_legend().get_texts())
    plt.close(fig)


# ---------------------------------------------------------------- /policy

def test_policy_panel_from_a_real_run(tmp_path, capsys):
    binary = os.environ.get("EDGESIM_BINARY", "")
    if not binary or not os.access(binary, os.X_OK):
        pytest.skip("EDGESIM_BINARY not set or not an executable")
    out_h5 = tmp_path / "lp.h5"
    scenario = REPO_ROOT / "tests" / "data" / "scenarios" / "queueing-lp-station.toml"
    r = subprocess.run([binary, "run", str(scenario), "-o", str(out_h5), "-q",
                        "--set", 'simulation.duration="60s"'], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    run = edgesim_h5.load_run(out_h5, requests=False)
    series = plot_run.policy_series(run)
    assert list(series) == [(0, "queueing-lp")]
    values = series[(0, "queueing-lp")]
    assert set(values) == {"arrival_rate", "planned_rate", "predicted_loss", "q_0", "q_1", "q_2"}
    t, q1 = values["q_1"]
    assert t[0] == 0 and len(t) >= 6  # t = 0, then every 10 s epoch
    assert plot_run.main([str(out_h5), "-o", str(tmp_path / "p")]) == 0
    printed = capsys.readouterr().out.split()
    assert printed[-1].endswith("policy.png")
    assert_png(printed[-1])


def test_no_policy_rows_no_policy_plot(run_file):
    run = edgesim_h5.load_run(run_file, requests=False)
    assert run.policy is None and plot_run.policy_series(run) == {}
