"""Shared fixtures: synthetic edgesim run files in the exact layout of docs/formats.md."""

import math
import os
import sys
from pathlib import Path

import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
ANALYSIS_DIR = REPO_ROOT / "analysis"
if str(ANALYSIS_DIR) not in sys.path:
    sys.path.insert(0, str(ANALYSIS_DIR))

import h5py  # noqa: E402

REQUEST_DTYPE = np.dtype([
    ("id", "<u8"), ("tenant", "<u2"), ("arrival", "<f8"), ("finish", "<f8"),
    ("latency", "<f8"), ("exit", "<i2"), ("correct", "u1"), ("confidence", "<f4"),
    ("lost_at", "<i4"), ("reason", "u1"),
])
TIMELINE_DTYPE = np.dtype([
    ("t", "<f8"), ("host", "<i4"), ("queue_len", "<i4"), ("power_w", "<f8"),
    ("battery_soc", "<f8"),
])
HOST_DTYPE = np.dtype([
    ("name", "S64"), ("energy_j", "<f8"), ("energy_static_j", "<f8"),
    ("energy_dynamic_j", "<f8"), ("busy_fraction", "<f8"), ("served", "<u8"),
    ("lost", "<u8"), ("mean_queue", "<f8"), ("battery_soc_end", "<f8"), ("down_at", "<f8"),
])
SUMMARY_DTYPE = np.dtype(
    [("tenant", "S64"), ("offered", "<u8"), ("served", "<u8"), ("lost", "<u8")]
    + [(n, "<f8") for n in (
        "loss_ratio", "throughput", "latency_mean", "latency_p50", "latency_p95",
        "latency_p99", "accuracy", "effective_accuracy", "slo_violation_ratio",
        "energy_j", "energy_per_served_j", "energy_dynamic_j", "energy_static_j")])

TENANTS = ["camera", "audio"]
HOSTS = ["edge-0", "edge-1"]
NAN = math.nan

# (tenant, arrival, latency, exit, correct, lost_at, reason); exit -1 = lost.
REQUESTS = [
    (0, 0.00, 0.012, 0, 1, -1, 0),
    (1, 0.05, 0.020, 1, 1, -1, 0),
    (0, 0.10, 0.045, 2, 1, -1, 0),
    (0, 0.20, 0.030, 1, 0, -1, 0),
    (1, 0.25, NAN, -1, 0, 1, 3),
    (0, 0.30, 0.050, 2, 1, -1, 0),
    (0, 0.40, NAN, -1, 0, 0, 1),
    (1, 0.45, 0.025, 1, 1, -1, 0),
    (0, 0.50, 0.041, 2, 0, -1, 0),
    (1, 0.55, 0.008, 0, 1, -1, 0),
    (0, 0.60, 0.010, 0, 1, -1, 0),
    (0, 0.70, NAN, -1, 0, 1, 2),
    (1, 0.75, 0.022, 1, 0, -1, 0),
]


def fixed(name: str) -> bytes:
    """NUL-padded 64-byte string, as the simulator writes it."""
    b = name.encode()
    return b + b"\0" * (64 - len(b))


def request_rows(spec=REQUESTS):
    rows = np.zeros(len(spec), REQUEST_DTYPE)
    for i, (tenant, arrival, lat, ex, correct, lost_at, reason) in enumerate(spec):
        finish = NAN if ex < 0 else arrival + lat
        rows[i] = (i, tenant, arrival, finish, lat, ex, correct,
                   0.0 if ex < 0 else 0.5 + 0.1 * ex, lost_at, reason)
    return rows


def timeline_rows(battery=True):
    rows = []
    for k in range(6):
        t = 0.2 * k
        rows.append((t, 0, [0, 2, 3, 1, 4, 0][k], 5.0 + 0.5 * k, 1.0))
        soc = (1.0 - 0.02 * k) if battery else 1.0
        rows.append((t, 1, [1, 1, 0, 2, 2, 3][k], 3.0 + 0.25 * k, soc))
    return np.array(rows, TIMELINE_DTYPE)


def summary_rows(req):
    def ratio(a, b):
        return a / b if b else NAN

    def pct(x, q):
        return float(np.percentile(x, q)) if x.size else NAN

    out = []
    for name, sel in [(n, req["tenant"] == i) for i, n in enumerate(TENANTS)] + [
            ("all", np.ones(req.size, bool))]:
        r = req[sel]
        served = r[r["exit"] >= 0]
        lat = served["latency"]
        offered = r.size
        out.append((fixed(name), offered, served.size, offered - served.size,
                    ratio(offered - served.size, offered), served.size / 1.0,
                    ratio(lat.sum(), lat.size), pct(lat, 50), pct(lat, 95),
                    pct(lat, 99), ratio(served["correct"].sum(), served.size),
                    ratio(served["correct"].sum(), offered), 0.0, 10.0,
                    ratio(10.0, served.size), 4.0, 6.0))
    return np.array(out, SUMMARY_DTYPE)


def write_run(path, requests=None, timeline=None, skip=(), drop_fields=None,
              chunk=4):
    """Write a run file; `skip` names datasets to leave out, `drop_fields`
    maps a dataset name to a field to remove (to make invalid files)."""
    req = request_rows() if requests is None else requests
    tl = timeline_rows() if timeline is None else timeline
    hosts = np.array([
        (fixed(HOSTS[0]), 120.0, 50.0, 70.0, 0.6, 6, 1, 1.7, 1.0, NAN),
        (fixed(HOSTS[1]), 80.0, 50.0, 30.0, 0.4, 4, 2, 1.5, 0.9, NAN),
    ], HOST_DTYPE)
    data = {"requests": req, "timeline": tl, "hosts": hosts,
            "summary": summary_rows(req)}
    for name, fld in (drop_fields or {}).items():
        arr = data[name]
        keep = [n for n in arr.dtype.names if n != fld]
        data[name] = np.array(arr[keep].tolist(),
                              np.dtype([(n, arr.dtype[n]) for n in keep]))
    with h5py.File(path, "w") as f:
        for name, arr in data.items():
            if name in skip:
                continue
            if name == "requests":
                f.create_dataset(name, data=arr, chunks=(chunk,) if arr.size else None,
                                 maxshape=(None,))
            else:
                f.create_dataset(name, data=arr)
        if "meta" not in skip:
            m = f.create_group("meta")
            m.attrs["edgesim_version"] = "0.1.0"
            m.attrs["git_describe"] = np.bytes_(b"v0.1.0-3-gabc1234")  # fixed-length
            m.attrs["scenario"] = "[simulation]\nduration = \"1s\"\n"
            m.attrs["platform"] = "<platform version=\"4.1\"/>"
            m.attrs["seed"] = np.uint64(42)
            m.attrs["started_at"] = "2024-01-01T00:00:00Z"
            m.attrs["wall_seconds"] = 0.25
            m.attrs["interrupted"] = np.uint8(0)
    return Path(path)


@pytest.fixture
def run_file(tmp_path):
    return write_run(tmp_path / "run.h5")


@pytest.fixture
def run_file_no_battery(tmp_path):
    return write_run(tmp_path / "run_mains.h5", timeline=timeline_rows(battery=False))


@pytest.fixture
def large_run_file(tmp_path):
    """6000 requests: about 5000 served of tenant 0, under 300 of tenant 1."""
    rng = np.random.default_rng(7)
    n = 6000
    tenant = np.where(np.arange(n) % 20 == 0, 1, 0)
    ex = rng.integers(0, 3, n)
    ex[np.arange(n) % 9 == 4] = -1
    spec = []
    for i in range(n):
        lat = float(rng.gamma(2.0, 0.01)) if ex[i] >= 0 else NAN
        spec.append((int(tenant[i]), i * 0.001, lat, int(ex[i]), 1,
                     -1 if ex[i] >= 0 else 0, 0 if ex[i] >= 0 else 1))
    req = request_rows(spec)
    return write_run(tmp_path / "large.h5", requests=req, chunk=256), req


@pytest.fixture
def mpl_env(tmp_path):
    """Environment for subprocesses: writable matplotlib config dir."""
    env = dict(os.environ)
    env["MPLCONFIGDIR"] = str(tmp_path / "mplconfig")
    return env
