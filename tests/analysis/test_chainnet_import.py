"""tools/chainnet_import.py and `edgesim dataset --format chainnet`: a sample exported in
ChainNet's files and imported back is the same network (K, paths, service times,
arrival rates), and re-simulating it reproduces the exported labels."""

import math
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools"))
import chainnet_import as ci  # noqa: E402

PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable

# ChainNet's model in edgesim: shared FCFS device stations, deterministic work, no exits,
# links so fast that network time is negligible (a 1 MB activation: 0.08 us).
SPEC = """
[dataset]
seed = 3
[devices]
library = "{root}/platforms/devices.xml"
kinds = ["rpi4b", "jetson_nano", "orangepi_zero"]
count = [2, 3]
buffer = [2, 6]
station = "shared"
[links]
topology = "star"
bandwidth = ["100000Gbps", "100000Gbps"]
latency = ["0s", "0s"]
[chains]
count = [2, 3]
models = ["{root}/scenarios/models/mobilenetv2.toml", "{root}/scenarios/models/resnet18.toml"]
fragments = [1, 3]
placement = "random"
load = [0.3, 1.2]
work = "deterministic"
exits = "none"
[simulation]
requests = 20000
warmup = 0.05
"""


def binary():
    path = os.environ.get("EDGESIM_BINARY")
    if not path:
        pytest.skip("EDGESIM_BINARY not set (ctest sets it)")
    return path


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cn")
    spec = tmp / "spec.toml"
    spec.write_text(SPEC.format(root=REPO))
    out = tmp / "ds.h5"
    res = subprocess.run([binary(), "dataset", str(spec), "--samples", "3", "--format", "chainnet", "-q",
                          "-o", str(out)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    return tmp / "ds_chainnet"


def test_splits_and_chainnet_semantics(exported):
    for split in ("train", "val", "test"):
        assert (exported / split / "raw" / "numNodes.txt").is_file()
    samples = ci.read_samples(str(exported / "train" / "raw"))
    assert len(samples) == 3  # indices 0-2: all in the training split
    raw = exported / "train" / "raw"
    lines = {name: (raw / f"{name}.txt").read_text().split("\n") for name in
             ("serRatio", "serStatProp", "tputRatio", "lossRatio", "resptRatio", "responseTime")}
    row = 0
    for s in samples:
        service_on = {}
        for ch in s.chains:
            for d, t in zip(ch.path, ch.service):
                service_on[d] = service_on.get(d, 0.0) + t
        for ch in s.chains:
            ser_ratio = [float(x) for x in lines["serRatio"][row].split()]
            stat_prop = [float(x) for x in lines["serStatProp"][row].split()]
            assert ser_ratio == pytest.approx([t / ch.interarrival for t in ch.service], rel=1e-12)
            assert stat_prop == pytest.approx([t / service_on[d] for d, t in zip(ch.path, ch.service)], rel=1e-12)
            loss = float(lines["lossRatio"][row])
            assert float(lines["tputRatio"][row]) == pytest.approx(1 - loss, abs=1e-14)
            assert 0 <= float(lines["tputRatio"][row]) <= 1
            assert float(lines["resptRatio"][row]) == pytest.approx(
                sum(ch.service) / float(lines["responseTime"][row]), rel=1e-12)
            row += 1


def test_import_round_trips_the_network(exported, tmp_path):
    samples = ci.read_samples(str(exported / "train" / "raw"))
    for s in samples:
        scenario = tomllib.loads(Path(ci.write_scenario(s, str(tmp_path), 1000, 0.1)).read_text())
        assert scenario["hosts"]["default"]["station"] == "shared"
        for d, k in enumerate(s.capacity, start=1):
            assert scenario["hosts"][f"d{d}"]["buffer"] == k
        for ch, tenant in zip(s.chains, scenario["tenants"]):
            assert tenant["arrival"]["rate"] == pytest.approx(1 / ch.interarrival, rel=1e-15)
            assert [f["host"] for f in tenant["placement"]["fragments"]] == [f"d{d}" for d in ch.path]
            model = tomllib.loads((tmp_path / tenant["model"]).read_text())
            assert [l["flops"] / ci.HOST_SPEED for l in model["layers"]] == pytest.approx(ch.service, rel=1e-15)


def test_resimulated_labels_match_the_exported_ones(exported, tmp_path):
    samples = ci.read_samples(str(exported / "train" / "raw"))
    rows = ci.compare(samples, str(tmp_path), binary(), requests=20000, warmup=0.05)
    assert len(rows) == sum(len(s.chains) for s in samples)
    rates = [1 / ch.interarrival for s in samples for ch in s.chains]
    for r, rate in zip(rows, rates):
        # Other seeds and run lengths (the dataset's slowest chain sees ~2,000 arrivals):
        # served fraction within 0.03, response within 10 % where most requests are served.
        assert r["sim_loss"] == pytest.approx(r["label_loss"], abs=0.03)
        assert r["sim_throughput"] == pytest.approx(r["label_throughput"], abs=0.03 * rate)
        if r["label_loss"] < 0.5:
            assert r["sim_response"] == pytest.approx(r["label_response"], rel=0.1)
    summary = ci.error_summary(rows)
    assert summary["throughput"]["median"] < 0.02


def test_bad_directories_are_errors(tmp_path, capsys):
    assert ci.main([str(tmp_path), "-o", str(tmp_path / "o")]) == 1
    assert "numNodes.txt: missing" in capsys.readouterr().err
    raw = tmp_path / "raw"
    raw.mkdir()
    for name, text in (("numNodes", "2\n"), ("numClasses", "1\n"), ("capacity", "3 4\n"), ("arrival", "1.0\n"),
                       ("path", "1 3\n"), ("service", "0.5 0.5\n")):
        (raw / f"{name}.txt").write_text(text)
    assert ci.main([str(raw), "-o", str(tmp_path / "o")]) == 1
    assert "outside 1..2" in capsys.readouterr().err


def read_like_chainnet(raw):
    """The checks ChainNet's input.py makes implicitly when it parses a split: the
    per-sample and per-chain lines it reads, integer paths within 1..numNodes, at most
    20 fragments per chain and 20 fragments per device, and (its released model needs
    it) every device used by some fragment."""
    read = lambda name: (raw / f"{name}.txt").read_text().splitlines()  # noqa: E731
    nn, nc, capa = read("numNodes"), read("numClasses"), read("capacityRatio")
    per_chain = {n: read(n) for n in ("arrival", "path", "serRatio", "serStatProp", "classCapacityRatio",
                                      "resptRatio", "tputRatio")}
    row = 0
    for i in range(len(nn)):
        n, c = int(nn[i]), int(nc[i])
        assert len([float(x) for x in capa[i].split()]) == n
        per_device = [0] * (n + 1)
        for _ in range(c):
            path = [int(x) for x in per_chain["path"][row].split()]
            assert 1 <= len(path) <= 20 and all(1 <= d <= n for d in path)
            for name in ("serRatio", "serStatProp", "classCapacityRatio"):
                assert len([float(x) for x in per_chain[name][row].split()]) == len(path), name
            for name in ("arrival", "resptRatio", "tputRatio"):
                assert math.isfinite(float(per_chain[name][row].split()[0])), name
            for d in path:
                per_device[d] += 1
            yield i, path
            row += 1
        assert all(1 <= k <= 20 for k in per_device[1:]), f"sample {i}: a device without fragments or with >20"


def test_chainnet_model_spec_makes_chainnet_shaped_samples(tmp_path):
    out = tmp_path / "cn.h5"
    spec = REPO / "scenarios" / "datasets" / "chainnet-model.toml"
    res = subprocess.run([binary(), "dataset", str(spec), "--samples", "10", "--format", "chainnet", "-q", "-j", "2",
                          "-o", str(out)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    chains = 0
    for split, expected in (("train", 8), ("val", 1), ("test", 1)):
        raw = tmp_path / "cn_chainnet" / split / "raw"
        assert len((raw / "numNodes.txt").read_text().splitlines()) == expected
        for _, path in read_like_chainnet(raw):
            assert len(set(path)) == len(path)  # distinct devices within a chain
            chains += 1
    assert chains >= 10
