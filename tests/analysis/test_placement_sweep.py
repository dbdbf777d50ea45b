"""Tests for analysis/placement_sweep.py (everything but the plot)."""

import json
import math
import os
import subprocess
from pathlib import Path

import pytest

import placement_sweep as ps
from conftest import REPO_ROOT

CHECK_OUTPUT = """scenarios/placement-bandwidth.toml: ok (1 tenant(s), 3 host(s) in platforms/pi-jetson-server.xml)
  cam-1: mobilenetv2 (20 layers, 0 exits), exits=none, placement=chain-dp: [0-7]@pi4-1 [8-19]@server-1
"""


def test_parse_fragments_and_cut_point():
    fragments = ps.parse_fragments(CHECK_OUTPUT)
    assert fragments == [ps.Fragment(0, 7, "pi4-1"), ps.Fragment(8, 19, "server-1")]
    assert ps.cut_point(fragments, "pi4-1") == 8
    assert ps.describe(fragments) == "[0-7]@pi4-1 [8-19]@server-1"
    # Full offload: nothing on the source; all local: every layer.
    assert ps.cut_point([ps.Fragment(0, 19, "server-1")], "pi4-1") == 0
    assert ps.cut_point([ps.Fragment(0, 19, "pi4-1")], "pi4-1") == 20
    # A placement that starts elsewhere and comes back still cuts at 0.
    assert ps.cut_point([ps.Fragment(0, 4, "server-1"), ps.Fragment(5, 19, "pi4-1")], "pi4-1") == 0
    with pytest.raises(ValueError):
        ps.parse_fragments("nothing here\n")


def test_policy_specs_become_overrides():
    assert ps.parse_policy("chain-dp") == ("chain-dp", {})
    assert ps.parse_policy("ilp:objective=throughput;time_limit=5s") == (
        "ilp", {"objective": "throughput", "time_limit": "5s"})
    assert ps.policy_overrides("neurosurgeon:objective=energy") == [
        "placement.policy=neurosurgeon", "placement.objective=energy"]
    assert ps.split_policies("a, b:x=1;y=2 ,") == ["a", "b:x=1;y=2"]
    with pytest.raises(ValueError):
        ps.parse_policy("ilp:objective")
    args = ps.overrides_for("models/resnet50.toml", "greedy", "links.up.bandwidth", 0.5)
    assert args == ["--set", "tenants.0.model=models/resnet50.toml",
                    "--set", "links.up.bandwidth=0.5MBps", "--set", "placement.policy=greedy"]


def test_device_energy_per_request():
    summary = {
        "simulated_seconds": 10.0,
        "hosts": [{"name": "pi", "energy_j": 30.0}, {"name": "server", "energy_j": 900.0}],
        "links": [{"name": "wlan-air", "energy_j": 2.0}, {"name": "eth", "energy_j": 50.0}],
    }
    # (30 - 2.5 x 10 + 2) / 7 = 1 J: the idle draw and wired links are not the device's.
    assert math.isclose(ps.device_energy_per_request(summary, "pi", 2.5, 7), 1.0)


def test_idle_watts_and_scenario_from_repository_files():
    info = ps.read_scenario(REPO_ROOT / "scenarios" / "placement-bandwidth.toml")
    assert info.source == "pi4-1"
    assert info.platform == (REPO_ROOT / "platforms" / "pi-jetson-server.xml").resolve()
    assert info.requests > 0
    assert ps.source_idle_watts(info.platform, "pi4-1") == 2.7
    assert ps.source_idle_watts(info.platform, "server-1") == 60.0
    with pytest.raises(ValueError):
        ps.source_idle_watts(info.platform, "nope")


@pytest.mark.skipif(not os.environ.get("EDGESIM_BINARY"), reason="needs EDGESIM_BINARY")
def test_one_point_end_to_end(tmp_path):
    binary = os.environ["EDGESIM_BINARY"]
    scenario = REPO_ROOT / "scenarios" / "placement-bandwidth.toml"
    code = ps.main([str(scenario), "-o", str(tmp_path / "sweep"), "--policies", "chain-dp",
                    "--models", "models/mobilenetv2.toml", "--bandwidths", "0.05,16", "--no-plot"])
    assert code == 0
    rows = (tmp_path / "sweep.csv").read_text().splitlines()
    assert len(rows) == 3
    header = rows[0].split(",")
    cuts = [int(r.split(",")[header.index("cut")]) for r in rows[1:]]
    # A slow uplink keeps MobileNetV2 on the Pi; a fast one offloads part of it.
    assert cuts[0] == 20
    assert cuts[1] < 20
