"""The real exit trace (tools/train_multiexit_digits.py, scenarios/traces/) and
analysis/exit_trace_compare.py: edgesim replaying it reproduces the trace's own numbers."""

import math
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "analysis"))
import exit_trace_compare as etc  # noqa: E402

PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
MODEL = REPO / "scenarios" / "models" / "digits-cnn-3exit.toml"
TRACE = REPO / "scenarios" / "traces" / "digits-cnn-3exit.csv"
PLATFORM = REPO / "platforms" / "devices.xml"
HOST = "x86_epyc_2vcpu"


def binary():
    path = os.environ.get("EDGESIM_BINARY")
    if not path:
        pytest.skip("EDGESIM_BINARY not set (ctest sets it)")
    return path


def binomial_tolerance(p, n, sigmas=4.0):
    return sigmas * math.sqrt(max(p * (1 - p), 1e-4) / n)


def test_shipped_model_carries_the_trace_accuracies():
    conf, correct = etc.read_trace(str(TRACE))
    assert conf.shape == (899, 4)  # the held-out half of load_digits' 1,797 images, 3 exits + final
    assert ((conf > 0) & (conf <= 1)).all()
    model = tomllib.loads(MODEL.read_text())
    per_exit = correct.mean(axis=0)
    assert [e["accuracy"] for e in model["exits"]] == pytest.approx(per_exit[:3], abs=5e-5)
    assert model["final"]["accuracy"] == pytest.approx(per_exit[3], abs=5e-5)
    assert [e["after"] for e in model["exits"]] == ["conv1", "conv2", "conv3"]
    assert model["confidence"]["trace"] == "../traces/digits-cnn-3exit.csv"
    assert all("x86_epyc_2vcpu" in layer["latency"] for layer in model["layers"])


@pytest.mark.parametrize("exit_index", [0, 1, 2, 3])
def test_fixed_exit_replay_reproduces_the_trace_accuracy(tmp_path, exit_index):
    """Every request leaves at one exit: the simulated accuracy is the trace's accuracy at
    that exit, up to the sampling error of drawing samples with replacement."""
    n = 6000
    scenario = tmp_path / "s.toml"
    scenario.write_text(
        f'[simulation]\nseed = 3\nrequests = {n}\nduration = "1e6s"\n'
        f'[platform]\nfile = "{PLATFORM}"\n'
        f'[[tenants]]\nname = "t"\nmodel = "{MODEL}"\nsource = "{HOST}"\n'
        'arrival = { process = "periodic", rate = 10.0 }\n'
        '[placement]\npolicy = "source-only"\n'
        f'[exits]\npolicy = "fixed-exit"\nexit = {exit_index}\n')
    res = subprocess.run([binary(), "run", str(scenario), "-q", "--json", "-o", str(tmp_path / "r.h5")],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    import json
    summary = json.loads(res.stdout)["all"]
    assert summary["served"] == n
    _, correct = etc.read_trace(str(TRACE))
    p = correct[:, exit_index].mean()
    assert summary["accuracy"] == pytest.approx(p, abs=binomial_tolerance(p, n))
    # A simulated request alone on the idle host takes its measured layers up to the exit
    # plus that exit's head (fixed-exit evaluates no other head).
    model = tomllib.loads(MODEL.read_text())
    ms = lambda s: float(s.removesuffix("ms"))  # noqa: E731
    layers = model["layers"] if exit_index == 3 else \
        model["layers"][:[l["name"] for l in model["layers"]].index(model["exits"][exit_index]["after"]) + 1]
    expected = sum(ms(l["latency"][HOST]) for l in layers)
    expected += ms(model["exits"][exit_index]["latency"][HOST]) if exit_index < 3 else 0.0
    assert summary["latency_mean"] * 1e3 == pytest.approx(expected, rel=1e-6)


def test_threshold_replay_matches_the_offline_replay():
    rows = etc.compare(binary(), str(MODEL), HOST, str(PLATFORM), [0.5, 0.9], requests=8000)
    by = {(r["threshold"], r["source"]): r for r in rows}
    for t in (0.5, 0.9):
        exact, sim = by[(t, "trace (offline)")], by[(t, "trace")]
        assert sim["accuracy"] == pytest.approx(exact["accuracy"], abs=binomial_tolerance(exact["accuracy"], 8000))
        for f_exact, f_sim in zip(exact["fractions"], sim["fractions"]):
            assert f_sim == pytest.approx(f_exact, abs=binomial_tolerance(f_exact, 8000))
        assert sum(sim["fractions"]) == pytest.approx(1.0)
    # The synthetic model is a different exit behaviour: at t = 0.5 it keeps far more
    # requests at exit 0 than the real network (whose exit 0 is under-confident).
    assert by[(0.5, "synthetic")]["fractions"][0] > by[(0.5, "trace (offline)")]["fractions"][0] + 0.2


def test_offline_replay_rule():
    conf = np.array([[0.2, 0.95, 0.5, 1.0], [0.9, 0.1, 0.1, 1.0], [0.1, 0.1, 0.1, 0.3]])
    correct = np.array([[0, 1, 0, 1], [1, 0, 0, 0], [0, 0, 0, 1]], dtype=bool)
    acc, frac = etc.offline_replay(conf, correct, 0.9)
    assert list(frac) == pytest.approx([1 / 3, 1 / 3, 0, 1 / 3])  # first exit >= t, else final
    assert acc == pytest.approx(1.0)
    acc0, frac0 = etc.offline_replay(conf, correct, 0.0)
    assert list(frac0) == [1.0, 0, 0, 0] and acc0 == pytest.approx(1 / 3)


def test_synthetic_model_text_replaces_only_the_confidence_table():
    text = ('name = "m"\n[[exits]]\nafter = "a"\n[confidence]\ntrace = "x.csv"\n'
            'confidence_noise = 0.3\n\n[efficiency]\nrpi4b = 1.0\n')
    out = tomllib.loads(etc.synthetic_model_text(text))
    assert out["confidence"] == {"source": "synthetic", "confidence_noise": 0.3}
    assert out["efficiency"] == {"rpi4b": 1.0} and out["exits"] == [{"after": "a"}]
    with pytest.raises(etc.CompareError):
        etc.synthetic_model_text('name = "m"\n')


def test_training_is_deterministic(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("sklearn")
    outs = []
    for i in range(2):
        out = tmp_path / f"trace{i}.csv"
        subprocess.run([PYTHON, str(REPO / "tools" / "train_multiexit_digits.py"), "--epochs", "2",
                        "--no-profile", "-q", "--trace", str(out)], check=True)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    conf, correct = etc.read_trace(str(tmp_path / "trace0.csv"))
    assert conf.shape == (899, 4) and 0 < correct.mean() < 1
