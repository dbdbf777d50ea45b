"""Tests for analysis/delen_studies.py: its statistics and the command line."""

import math

import numpy as np
import pytest

import delen_studies as ds


def test_window_stats_counts_loss_latency_and_accuracy_per_window():
    arrival = np.array([0.5, 1.5, 2.5, 3.0, 3.5, 12.0])
    tenant = np.array([0, 0, 0, 1, 0, 0])
    exit_ = np.array([1, -1, 2, 0, 0, 1])
    latency = np.array([0.1, np.nan, 0.3, 9.0, 0.2, 0.4])
    correct = np.array([1, 0, 0, 1, 1, 1])
    rows = ds.window_stats(arrival, tenant, exit_, latency, correct, 0, 2.0, 0.0, 6.0)
    assert [r["t"] for r in rows] == [0.0, 2.0, 4.0]
    assert rows[0]["offered"] == 2 and rows[0]["loss_ratio"] == 0.5
    assert rows[0]["latency_mean"] == pytest.approx(0.1) and rows[0]["accuracy"] == 1.0
    # [2, 4): tenant 0's 2.5 and 3.5 (tenant 1's 3.0 is not counted)
    assert rows[1]["offered"] == 2 and rows[1]["loss_ratio"] == 0.0
    assert rows[1]["latency_mean"] == pytest.approx(0.25) and rows[1]["accuracy"] == 0.5
    assert rows[2]["offered"] == 0 and math.isnan(rows[2]["loss_ratio"]) and math.isnan(rows[2]["accuracy"])


def test_lifetime_gain_and_energy_per_request():
    assert ds.lifetime_gain(1174.0, 742.0) == pytest.approx(0.5822, abs=1e-4)
    assert ds.lifetime_gain(742.0, 742.0) == 0.0
    assert ds.dynamic_energy_per_request({"energy_dynamic_j": 10.0, "served": 4}) == 2.5
    assert math.isnan(ds.dynamic_energy_per_request({"energy_dynamic_j": 1.0, "served": 0}))


def test_mean_ci_is_the_student_t_half_width():
    mean, half = ds.mean_ci([1.0, 2.0, 3.0])
    assert mean == 2.0
    assert half == pytest.approx(4.302653 * 1.0 / math.sqrt(3), rel=1e-6)
    assert ds.mean_ci([5.0]) == (5.0, 0.0)


def test_a_failing_run_is_reported_with_exit_code_one(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("EDGESIM_BINARY", "/bin/false")
    assert ds.main(["battery", "--reps", "1", "--jobs", "1", "-o", str(tmp_path / "b")]) == 1
    assert "delen_studies: error:" in capsys.readouterr().err
    assert not (tmp_path / "b.csv").exists()
