"""Tests for analysis/policy_sweep.py."""

import csv
import math
import os
import tomllib
from pathlib import Path

import numpy as np
import pytest

import policy_sweep as ps
from conftest import REPO_ROOT

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

SCENARIO_GLOBAL = """
[simulation]
duration = "10s"
[platform]
file = "p.xml"
[[tenants]]
name = "a"
model = "m.toml"
source = "h"
arrival = { process = "poisson", rate = 1.5 }
[[tenants]]
name = "b"
model = "m.toml"
source = "h"
arrival = { process = "periodic", rate = 1.0 }
[exits]
policy = "threshold"
thresholds = [0.9, 0.8]
"""

SCENARIO_OWN_EXITS = """
[simulation]
duration = "10s"
[platform]
file = "p.xml"
[[tenants]]
name = "a"
model = "m.toml"
source = "h"
arrival = { process = "poisson", rate = 1.5 }
exits = { policy = "none" }
[[tenants]]
name = "b"
model = "m.toml"
source = "h"
arrival = { process = "poisson", rate = 2 }
[[tenants]]
name = "c"
model = "m.toml"
source = "h"
arrival = { process = "mmpp2", rates = [1, 5], sojourn = ["2s", "8s"] }
[tenants.exits]
policy = "threshold"
thresholds = 0.5
"""


def write(tmp_path, text, name="s.toml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def sets_of(cmd):
    return [cmd[i + 1] for i, a in enumerate(cmd) if a == "--set"]


def exits_value(assignment):
    """The `exits` inline table of an assignment, read back as TOML."""
    key, _, value = assignment.partition("=")
    return key, tomllib.loads(f"v = {value}")["v"]


# ---------------------------------------------------------------- TOML values

def test_toml_value_round_trips():
    value = {"policy": "criteria", "rule": 'confidence > 0.8 OR "x" \\ y',
             "thresholds": [0.5, 0.9], "n": 3, "flag": True, "weird key": 1.5}
    text = ps.toml_value(value)
    assert tomllib.loads(f"v = {text}")["v"] == value


def test_parse_toml_value_falls_back_to_string():
    assert ps.parse_toml_value("0.9") == 0.9
    assert ps.parse_toml_value("[0.8, 0.9]") == [0.8, 0.9]
    assert ps.parse_toml_value("balanced") == "balanced"
    assert ps.parse_toml_value('"confidence > 0.8"') == "confidence > 0.8"


def test_exits_table_uses_defaults():
    _, table = exits_value("exits=" + ps.exits_table("queueing-lp"))
    assert table == {"policy": "queueing-lp", "max_loss": 0.05}
    _, table = exits_value("exits=" + ps.exits_table("none"))
    assert table == {"policy": "none"}
    _, table = exits_value("exits=" + ps.exits_table("my-plugin"))
    assert table == {"policy": "my-plugin"}


def test_defaults_cover_requested_policies():
    for p in ps.DEFAULT_POLICIES.split(","):
        assert p in ps.POLICY_DEFAULTS
    assert ps.POLICY_DEFAULTS["threshold"]["thresholds"] == 0.8
    assert ps.POLICY_DEFAULTS["pareto"]["objective"] == "balanced"
    assert "confidence > 0.8" in ps.POLICY_DEFAULTS["criteria"]["rule"]


def test_apply_params():
    d = ps.apply_params(ps.POLICY_DEFAULTS, ["criteria.rule=confidence > 0.9",
                                             "threshold.thresholds=[0.7, 0.8, 0.9]",
                                             "ucb.cost=0.2"])
    assert d["criteria"]["rule"] == "confidence > 0.9"
    assert d["threshold"]["thresholds"] == [0.7, 0.8, 0.9]
    assert d["ucb"]["cost"] == 0.2
    assert ps.POLICY_DEFAULTS["ucb"] == {}          # the module defaults are untouched
    with pytest.raises(ValueError):
        ps.apply_params(ps.POLICY_DEFAULTS, ["nodot=1"])


# ---------------------------------------------------------------- commands

def test_read_scenario(tmp_path):
    info = ps.read_scenario(write(tmp_path, SCENARIO_OWN_EXITS))
    assert info.n_tenants == 3 and info.tenant_names == ["a", "b", "c"]
    assert info.own_exits == [True, False, True]
    assert info.has_rate == [True, True, False]


def test_command_global_exits(tmp_path):
    scen = write(tmp_path, SCENARIO_GLOBAL)
    info = ps.read_scenario(scen)
    cmd = ps.build_command("/bin/edgesim", scen, info, "threshold", 2.5, 7,
                           tmp_path / "o.h5", duration="60s")
    assert cmd[:3] == ["/bin/edgesim", "run", str(scen)]
    for flag in ("--json", "-q", "--no-trace"):
        assert flag in cmd
    assert cmd[cmd.index("-o") + 1] == str(tmp_path / "o.h5")
    assert cmd[cmd.index("--seed") + 1] == "7"
    sets = sets_of(cmd)
    assert 'simulation.duration="60s"' in sets
    assert "tenants.0.arrival.rate=2.5" in sets and "tenants.1.arrival.rate=2.5" in sets
    exits = [s for s in sets if "exits=" in s]
    assert len(exits) == 1
    key, table = exits_value(exits[0])
    assert key == "exits"
    assert table == {"policy": "threshold", "thresholds": 0.8}


def test_command_tenant_specific_exits(tmp_path):
    scen = write(tmp_path, SCENARIO_OWN_EXITS)
    info = ps.read_scenario(scen)
    cmd = ps.build_command("edgesim", scen, info, "criteria", 1, 1, "o.h5",
                           rate_key="tenants.*.arrival.rate")
    sets = sets_of(cmd)
    keys = {}
    for s in sets:
        if "exits=" in s:
            k, v = exits_value(s)
            keys[k] = v
    # tenants 0 and 2 have their own table; tenant 1 follows the global one
    assert set(keys) == {"exits", "tenants.0.exits", "tenants.2.exits"}
    for v in keys.values():
        assert v["policy"] == "criteria" and v["rule"] == ps.POLICY_DEFAULTS["criteria"]["rule"]
    assert [s for s in sets if "arrival" in s] == [
        f"tenants.{k}.arrival.rate=1.0" for k in range(3)]


def test_command_every_tenant_own_exits_skips_global():
    info = ps.ScenarioInfo(2, ["a", "b"], [True, True], [True, True])
    sets = ps.exits_overrides(info, "none")
    assert [s.split("=", 1)[0] for s in sets] == ["tenants.0.exits", "tenants.1.exits"]


def test_rate_key_template_and_no_duration():
    info = ps.ScenarioInfo(2, ["a", "b"], [False, False], [False, False])
    assert ps.rate_overrides(info, 3, "tenants.*.arrival.rates.0") == [
        "tenants.0.arrival.rates.0=3.0", "tenants.1.arrival.rates.0=3.0"]
    assert ps.rate_overrides(info, 3, "tenants.0.arrival.rate") == [
        "tenants.0.arrival.rate=3.0"]
    cmd = ps.build_command("e", "s.toml", info, "none", 1, 1, "o.h5", duration=None)
    assert not any(s.startswith("simulation.duration") for s in sets_of(cmd))


# ---------------------------------------------------------------- aggregation

def result(policy, rate, rep, ok=True, **values):
    vals = {m: values.get(m, 0.0) for m in ps.METRICS} if ok else {}
    return ps.RunResult(policy, rate, rep, ok, vals, "" if ok else "boom")


def test_t975():
    assert ps.t975(2) == pytest.approx(4.303)
    assert ps.t975(30) == pytest.approx(2.042)
    assert ps.t975(60) == pytest.approx(2.000, abs=0.003)
    assert ps.t975(1000) == pytest.approx(1.962, abs=0.002)
    assert math.isnan(ps.t975(0))


def test_mean_ci():
    mean, ci, n = ps.mean_ci([1.0, 2.0, 3.0])
    assert (mean, n) == (2.0, 3)
    assert ci == pytest.approx(4.303 * 1.0 / math.sqrt(3))
    mean, ci, n = ps.mean_ci([5.0, math.nan, None])
    assert (mean, n) == (5.0, 1) and math.isnan(ci)
    mean, ci, n = ps.mean_ci([])
    assert n == 0 and math.isnan(mean) and math.isnan(ci)


def test_aggregate_over_replications():
    results = [
        result("none", 1.0, 0, loss_ratio=0.0, latency_mean=0.5),
        result("none", 1.0, 1, loss_ratio=0.2, latency_mean=0.7),
        result("none", 1.0, 2, loss_ratio=0.1, latency_mean=0.6),
        result("none", 2.0, 0, loss_ratio=0.4, latency_mean=2.0),
        result("none", 2.0, 1, ok=False),
        result("ucb", 1.0, 0, loss_ratio=0.0, latency_mean=math.nan),
        result("ucb", 1.0, 1, loss_ratio=0.0, latency_mean=0.3),
    ]
    rows = ps.aggregate(results, ["none", "ucb"], [1.0, 2.0])
    assert [(r["policy"], r["rate"]) for r in rows] == [
        ("none", 1.0), ("none", 2.0), ("ucb", 1.0), ("ucb", 2.0)]
    r = rows[0]
    assert r["reps"] == 3 and r["failed"] == 0
    assert r["loss_ratio_mean"] == pytest.approx(0.1)
    assert r["loss_ratio_ci95"] == pytest.approx(4.303 * 0.1 / math.sqrt(3))
    assert r["latency_mean_mean"] == pytest.approx(0.6)
    r = rows[1]
    assert r["reps"] == 1 and r["failed"] == 1
    assert r["loss_ratio_mean"] == 0.4 and math.isnan(r["loss_ratio_ci95"])
    r = rows[2]                                   # NaN replicate left out of the mean
    assert r["latency_mean_mean"] == pytest.approx(0.3)
    r = rows[3]                                   # no runs at all
    assert r["reps"] == 0 and math.isnan(r["loss_ratio_mean"])


def test_parse_summary():
    text = ('{"tenants": [], "all": {"tenant": "all", "loss_ratio": 0.25, '
            '"effective_accuracy": 0.6, "accuracy": 0.8, "latency_mean": NaN, '
            '"latency_p95": null, "energy_per_served_j": 1.5}, "hosts": []}')
    v = ps.parse_summary(text)
    assert v["loss_ratio"] == 0.25 and v["accuracy"] == 0.8
    assert math.isnan(v["latency_mean"]) and math.isnan(v["latency_p95"])
    with pytest.raises(KeyError):
        ps.parse_summary('{"tenants": []}')


def test_run_one_reports_failures(tmp_path):
    fail = tmp_path / "fail.sh"
    fail.write_text("#!/bin/sh\necho 'edgesim: error: bad key' >&2\nexit 1\n")
    fail.chmod(0o755)
    r = ps.run_one([str(fail)], "none", 1.0, 0)
    assert not r.ok and "exit code 1" in r.error and "bad key" in r.error
    garbage = tmp_path / "garbage.sh"
    garbage.write_text("#!/bin/sh\necho not json\n")
    garbage.chmod(0o755)
    r = ps.run_one([str(garbage)], "none", 1.0, 0)
    assert not r.ok and "JSON" in r.error
    r = ps.run_one([str(tmp_path / "missing")], "none", 1.0, 0)
    assert not r.ok


def fake_simulator(tmp_path):
    """A stand-in for edgesim that prints a JSON summary whose loss grows with the
    rate given to tenant 0, and fails for the policy `ucb`."""
    script = tmp_path / "fake_edgesim.py"
    script.write_text(
        "#!/usr/bin/python3\n"
        "import json, sys\n"
        "a = sys.argv\n"
        "sets = [a[i + 1] for i, x in enumerate(a) if x == '--set']\n"
        "rate = float([s for s in sets if s.startswith('tenants.0.arrival.rate=')][0].split('=')[1])\n"
        "if any('\"ucb\"' in s for s in sets):\n"
        "    print('edgesim: error: boom', file=sys.stderr); sys.exit(3)\n"
        "seed = int(a[a.index('--seed') + 1])\n"
        "row = dict(tenant='all', loss_ratio=rate / 10, effective_accuracy=0.7 - rate / 20,\n"
        "           accuracy=0.7, latency_mean=0.4 + rate + 0.01 * seed, latency_p95=1.0,\n"
        "           energy_per_served_j=2.0 / rate)\n"
        "print(json.dumps({'tenants': [], 'all': row, 'hosts': []}))\n")
    script.chmod(0o755)
    return script


def test_main_with_fake_simulator(tmp_path, monkeypatch, capsys):
    scen = write(tmp_path, SCENARIO_GLOBAL)
    monkeypatch.setenv("EDGESIM_BINARY", str(fake_simulator(tmp_path)))
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mpl"))
    out = tmp_path / "out" / "sweep"
    rc = ps.main([str(scen), "--rates", "1,2", "--policies", "none,ucb,threshold",
                  "--reps", "2", "--jobs", "2", "-o", str(out),
                  "--runs-csv", str(tmp_path / "runs.csv")])
    assert rc == 1                                  # ucb failed
    err = capsys.readouterr().err
    assert err.count("run failed: policy=ucb") == 4
    rows = ps.read_csv(str(out) + ".csv")
    assert len(rows) == 6
    none2 = [r for r in rows if r["policy"] == "none" and r["rate"] == 2.0][0]
    assert none2["reps"] == 2 and none2["failed"] == 0
    assert none2["loss_ratio_mean"] == pytest.approx(0.2)
    assert none2["latency_mean_mean"] == pytest.approx(2.415)
    assert none2["latency_mean_ci95"] == pytest.approx(12.706 * 0.005, rel=1e-3)  # sd 0.01/sqrt(2), n = 2
    ucb = [r for r in rows if r["policy"] == "ucb"]
    assert all(r["reps"] == 0 and r["failed"] == 2 for r in ucb)
    assert Path(str(out) + ".png").read_bytes()[:8] == PNG_MAGIC
    with open(tmp_path / "runs.csv") as f:
        assert len(list(csv.reader(f))) == 1 + 12


# ---------------------------------------------------------------- CSV and plot

def synthetic_rows():
    rng = np.random.default_rng(3)
    results = []
    for policy in ("none", "threshold", "queueing-lp"):
        for rate in (0.5, 1.0, 2.0, 4.0):
            for rep in range(3):
                results.append(result(
                    policy, rate, rep,
                    effective_accuracy=0.7 - 0.05 * rate + rng.normal(0, 0.01),
                    accuracy=0.72, loss_ratio=max(0.0, 0.1 * (rate - 1.5)),
                    latency_mean=0.4 * math.exp(rate) + rng.normal(0, 0.05),
                    latency_p95=1.0, energy_per_served_j=3.0 / rate))
    return ps.aggregate(results)


def test_write_and_read_csv(tmp_path):
    rows = synthetic_rows()
    rows[0]["loss_ratio_ci95"] = math.nan
    path = tmp_path / "s.csv"
    ps.write_csv(rows, path)
    with open(path) as f:
        header = next(csv.reader(f))
    assert header == ps.CSV_FIELDS
    assert header[:4] == ["policy", "rate", "reps", "failed"]
    for m in ("effective_accuracy", "loss_ratio", "latency_mean", "energy_per_served_j"):
        assert f"{m}_mean" in header and f"{m}_ci95" in header
    back = ps.read_csv(path)
    assert len(back) == len(rows) == 12
    assert math.isnan(back[0]["loss_ratio_ci95"])
    for a, b in zip(rows, back):
        assert a["policy"] == b["policy"] and a["reps"] == b["reps"] == 3
        assert b["latency_mean_mean"] == pytest.approx(a["latency_mean_mean"], rel=1e-5)


def test_plot_png(tmp_path, monkeypatch):
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mpl"))
    path = tmp_path / "p.png"
    ps.plot(synthetic_rows(), path, title="synthetic")
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC and len(data) < 300_000
    import matplotlib.image as mpimg
    img = mpimg.imread(str(path))
    assert img.shape[0] > 300 and img.shape[1] > 500


def test_plot_single_replication_without_bands(tmp_path, monkeypatch):
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mpl"))
    rows = ps.aggregate([result("none", r, 0, latency_mean=r) for r in (1.0, 2.0)])
    path = tmp_path / "one.png"
    ps.plot(rows, path)
    assert path.read_bytes()[:8] == PNG_MAGIC


def test_main_from_csv_redraws_without_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mpl"))
    monkeypatch.setenv("EDGESIM_BINARY", str(tmp_path / "absent"))
    ps.write_csv(synthetic_rows(), tmp_path / "s.csv")
    rc = ps.main(["unused.toml", "--from-csv", str(tmp_path / "s.csv"),
                  "-o", str(tmp_path / "re")])
    assert rc == 0
    assert (tmp_path / "re.png").read_bytes()[:8] == PNG_MAGIC


def test_mantissa():
    assert [ps._mantissa(v) for v in (0.2, 5.0, 20.0, 1.0, 0.0, -3.0)] == [2, 5, 2, 1, 0, 0]


def test_main_missing_binary(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("EDGESIM_BINARY", str(tmp_path / "absent"))
    rc = ps.main([str(write(tmp_path, SCENARIO_GLOBAL)), "-o", str(tmp_path / "x")])
    assert rc == 2 and "not an executable" in capsys.readouterr().err


def test_main_rejects_tenant_without_rate(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("EDGESIM_BINARY", str(fake_simulator(tmp_path)))
    rc = ps.main([str(write(tmp_path, SCENARIO_OWN_EXITS)), "-o", str(tmp_path / "x")])
    assert rc == 2 and "without arrival.rate: c" in capsys.readouterr().err


# ---------------------------------------------------------------- real simulator

def test_real_sweep_if_available(tmp_path, monkeypatch):
    binary = os.environ.get("EDGESIM_BINARY", "")
    if not binary or not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        pytest.skip("EDGESIM_BINARY not set or not an executable")
    scenario = REPO_ROOT / "scenarios" / "chainnet-testbed.toml"
    if not scenario.is_file():
        pytest.skip(f"{scenario} not present")
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mpl"))
    out = tmp_path / "real"
    rc = ps.main([str(scenario), "--rates", "0.5,2", "--policies", "none,threshold",
                  "--reps", "1", "--jobs", "2", "--duration", "20s", "--timeout", "300",
                  "-o", str(out)])
    assert rc == 0
    rows = ps.read_csv(str(out) + ".csv")
    assert [(r["policy"], r["rate"]) for r in rows] == [
        ("none", 0.5), ("none", 2.0), ("threshold", 0.5), ("threshold", 2.0)]
    for r in rows:
        assert r["reps"] == 1 and r["failed"] == 0
        assert 0.0 <= r["loss_ratio_mean"] <= 1.0
        assert 0.0 < r["effective_accuracy_mean"] <= 1.0
        assert 0.0 < r["accuracy_mean"] <= 1.0
        assert r["latency_mean_mean"] > 0 and r["latency_p95_mean"] >= 0
        assert r["energy_per_served_j_mean"] > 0
    assert Path(str(out) + ".png").read_bytes()[:8] == PNG_MAGIC
