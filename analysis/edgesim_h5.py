"""Loader for edgesim run files (HDF5, see docs/formats.md).

Layout read here (compound datasets; field names are the contract):

  /requests  id u64, tenant u16, arrival f64, finish f64, latency f64, exit i16,
             correct u8, confidence f32, lost_at i32, reason u8, placement u32
             (files before it lack it)
  /timeline  t f64, host i32, queue_len i32 (at t), queue_mean f64 (average over the
             interval before t; files before it lack the column), power_w f64
             (average over the interval before t), battery_soc f64
  /hosts     name S64, energy_j, energy_static_j, energy_dynamic_j, busy_fraction,
             served u64, lost u64, mean_queue, battery_soc_end, down_at
  /summary   tenant S64 (one row per tenant in tenant-index order, then "all"),
             offered, served, lost, loss_ratio, throughput, latency_mean,
             latency_p50, latency_p95, latency_p99, accuracy, effective_accuracy,
             slo_violation_ratio, energy_j, energy_per_served_j, energy_dynamic_j,
             energy_static_j
  /meta      group; attributes edgesim_version, git_describe, scenario, platform,
             seed, started_at, wall_seconds, interrupted, warmup_s (files before it
             lack it: RunData.warmup reads the scenario text); dataset layer_latency
             (tenant, layer, layer_name, host, source 0 FLOPs model / 1 measured,
             seconds)

  /policy    time f64, tenant u16, policy S64, name S64, value f64: the values a
             policy recorded at each decision epoch or state change (optional)

`load_run` reads the small datasets whole and, optionally, `/requests`.
`scan_requests` reads `/requests` in row slices (only the columns it needs), so
the latency CDF and the exit histogram of a run larger than memory can be made.

Times are in simulated seconds. SCHEMA below lists every column with its dtype.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import h5py
import numpy as np

# Every column of a run file, in file order, with its numpy dtype ("str": a text
# attribute). It must equal what `edgesim list columns` prints (tests/analysis/
# test_schema.py checks it), so a column added to the simulator's record schema
# (src/io/record_schema.hpp) fails that test until it is added here.
SCHEMA: Dict[str, List[tuple]] = {
    "/meta": [("edgesim_version", "str"), ("git_describe", "str"), ("scenario", "str"),
              ("platform", "str"), ("seed", "<u8"), ("started_at", "str"),
              ("wall_seconds", "<f8"), ("interrupted", "|u1"), ("warmup_s", "<f8")],
    "/meta/layer_latency": [("tenant", "<u2"), ("layer", "<u4"), ("layer_name", "S64"),
                            ("host", "<i4"), ("source", "|u1"), ("seconds", "<f8")],
    "/requests": [("id", "<u8"), ("tenant", "<u2"), ("arrival", "<f8"), ("finish", "<f8"),
                  ("latency", "<f8"), ("exit", "<i2"), ("correct", "|u1"),
                  ("confidence", "<f4"), ("lost_at", "<i4"), ("reason", "|u1"),
                  ("placement", "<u4")],
    "/timeline": [("t", "<f8"), ("host", "<i4"), ("queue_len", "<i4"), ("queue_mean", "<f8"),
                  ("power_w", "<f8"), ("battery_soc", "<f8")],
    "/placements": [("time", "<f8"), ("tenant", "<u2"), ("placement", "<u4"),
                    ("fragment", "<u2"), ("first_layer", "<u4"), ("last_layer", "<u4"),
                    ("host", "S64"), ("branch", "<i2"), ("branches", "<u2")],
    "/policy": [("time", "<f8"), ("tenant", "<u2"), ("policy", "S64"), ("name", "S64"),
                ("value", "<f8")],
    "/hosts": [("name", "S64"), ("energy_j", "<f8"), ("energy_static_j", "<f8"),
               ("energy_dynamic_j", "<f8"), ("busy_fraction", "<f8"), ("served", "<u8"),
               ("lost", "<u8"), ("mean_queue", "<f8"), ("battery_soc_end", "<f8"),
               ("down_at", "<f8")],
    "/links": [("name", "S64"), ("energy_j", "<f8"), ("bytes", "<f8")],
    "/summary": [("tenant", "S64"), ("offered", "<u8"), ("served", "<u8"), ("lost", "<u8"),
                 ("loss_ratio", "<f8"), ("throughput", "<f8"), ("latency_mean", "<f8"),
                 ("latency_p50", "<f8"), ("latency_p95", "<f8"), ("latency_p99", "<f8"),
                 ("accuracy", "<f8"), ("effective_accuracy", "<f8"),
                 ("slo_violation_ratio", "<f8"), ("energy_j", "<f8"),
                 ("energy_per_served_j", "<f8"), ("energy_dynamic_j", "<f8"),
                 ("energy_static_j", "<f8")],
}

# Columns that files of earlier versions lack: readers do not require them.
OPTIONAL_FIELDS = {
    "/meta": {"warmup_s"},
    "/requests": {"placement"},
    "/timeline": {"queue_mean"},
}


def required_fields(table: str) -> tuple:
    """The columns of `table` every run file has (SCHEMA without OPTIONAL_FIELDS)."""
    optional = OPTIONAL_FIELDS.get(table, set())
    return tuple(name for name, _ in SCHEMA[table] if name not in optional)


REQUEST_FIELDS = required_fields("/requests")
TIMELINE_FIELDS = required_fields("/timeline")
HOST_FIELDS = required_fields("/hosts")
SUMMARY_FIELDS = required_fields("/summary")
META_ATTRS = required_fields("/meta")

REASON_NAMES = {0: "served", 1: "buffer full", 2: "deadline", 3: "host down", 4: "network buffer full"}
N_REASONS = len(REASON_NAMES)

# Default bounds for streaming /requests.
DEFAULT_CHUNK_ROWS = 1 << 20
DEFAULT_MAX_CDF_POINTS = 200_000


_SECONDS_PER_UNIT = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "min": 60.0, "h": 3600.0}


def scenario_warmup(text: str) -> float:
    """simulation.warmup of a scenario's TOML text in seconds (a number, or a string with
    a unit: "500ms", "5s", "2min", "1h"); 0 when absent or unreadable."""
    import tomllib
    try:
        value = tomllib.loads(text).get("simulation", {}).get("warmup", 0)
    except tomllib.TOMLDecodeError:
        return 0.0
    if isinstance(value, (int, float)):
        return float(value)
    value = str(value).strip()
    for unit in sorted(_SECONDS_PER_UNIT, key=len, reverse=True):
        if value.endswith(unit):
            try:
                return float(value[: -len(unit)]) * _SECONDS_PER_UNIT[unit]
            except ValueError:
                return 0.0
    return 0.0


class EdgesimH5Error(Exception):
    """A run file is missing, unreadable or does not follow the layout."""


@dataclass
class RunData:
    path: str
    group: str
    requests: Optional[np.ndarray]      # None when loaded with requests=False
    n_requests: int
    timeline: np.ndarray
    hosts: np.ndarray
    summary: np.ndarray
    host_names: List[str]
    tenant_names: List[str]             # tenant index order, without "all"
    meta: Dict[str, object] = field(default_factory=dict)
    # /policy rows (time, tenant, policy, name, value); empty for files without it
    policy: Optional[np.ndarray] = None

    @property
    def warmup(self) -> float:
        """simulation.warmup in seconds: /summary counts the requests arriving after it."""
        if "warmup_s" in self.meta:
            return float(self.meta["warmup_s"])
        return scenario_warmup(str(self.meta.get("scenario", "")))

    def tenant_name(self, index: int) -> str:
        if 0 <= index < len(self.tenant_names):
            return self.tenant_names[index]
        return f"tenant {index}"

    def host_name(self, index: int) -> str:
        if 0 <= index < len(self.host_names):
            return self.host_names[index]
        return f"host {index}"

    def summary_row(self, name: str) -> Optional[np.void]:
        """The /summary row of tenant `name` ("all" for the total), or None."""
        names = [decode_name(x) for x in self.summary["tenant"]]
        return self.summary[names.index(name)] if name in names else None


@dataclass
class RequestStats:
    """What one streaming pass over /requests yields, per tenant index."""
    n_tenants: int
    offered: np.ndarray          # (n_tenants,) all requests of the tenant
    served: np.ndarray           # (n_tenants,) exit >= 0
    lost: np.ndarray             # (n_tenants,) exit < 0
    exit_counts: np.ndarray      # (n_tenants, n_exits) served per exit number
    lost_by_reason: np.ndarray   # (n_tenants, N_REASONS) indexed by reason code
    cdf: Dict[int, np.ndarray]   # tenant -> sorted served latencies [s] (maybe subsampled)
    cdf_subsampled: Dict[int, bool]

    @property
    def n_exits(self) -> int:
        return self.exit_counts.shape[1]

    def exit_fractions(self) -> np.ndarray:
        """(n_tenants, n_exits + 1): served per exit, then lost, over offered.

        Each tenant's row sums to 1 (0 for a tenant with no requests)."""
        counts = np.concatenate([self.exit_counts, self.lost[:, None]], axis=1)
        denom = np.maximum(self.offered, 1)[:, None].astype(float)
        return counts / denom

    def cdf_xy(self, tenant: int):
        """(x, y): sorted latencies [s] and empirical CDF values in (0, 1]."""
        x = self.cdf.get(tenant, np.empty(0))
        y = np.arange(1, x.size + 1, dtype=float) / max(x.size, 1)
        return x, y


def decode_name(value) -> str:
    """Fixed-length, NUL-padded byte string (or any string) -> str."""
    if isinstance(value, (bytes, np.bytes_, bytearray)):
        return bytes(value).split(b"\0", 1)[0].decode("utf-8", "replace")
    return str(value).split("\0", 1)[0]


def _decode_attr(value):
    if isinstance(value, (bytes, np.bytes_)):
        return decode_name(value)
    if isinstance(value, np.ndarray):
        if value.shape == ():
            return _decode_attr(value[()])
        if value.dtype.kind in "SO":
            return [_decode_attr(v) for v in value.tolist()]
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _open(path: str) -> h5py.File:
    path = os.fspath(path)
    if not os.path.exists(path):
        raise EdgesimH5Error(f"{path}: no such file")
    if os.path.isdir(path):
        raise EdgesimH5Error(f"{path}: is a directory, not a run file")
    try:
        return h5py.File(path, "r")
    except OSError as e:
        raise EdgesimH5Error(f"{path}: not a readable HDF5 file ({e})") from None


def _group(f: h5py.File, path: str, group: Optional[str]) -> h5py.Group:
    if not group or group == "/":
        g = f
    else:
        if group not in f or not isinstance(f[group], h5py.Group):
            raise EdgesimH5Error(f"{path}: no group {group!r}")
        g = f[group]
    if "requests" not in g and "points" in g:
        raise EdgesimH5Error(
            f"{path}: is a sweep file (/points); pick one point's traces with --group")
    return g


def _dataset(g: h5py.Group, name: str, fields, path: str) -> h5py.Dataset:
    if name not in g or not isinstance(g[name], h5py.Dataset):
        raise EdgesimH5Error(f"{path}: missing dataset {g.name.rstrip('/')}/{name}")
    ds = g[name]
    names = ds.dtype.names or ()
    missing = [x for x in fields if x not in names]
    if missing:
        raise EdgesimH5Error(
            f"{path}: dataset {ds.name} lacks field(s) {', '.join(missing)}")
    if ds.ndim != 1:
        raise EdgesimH5Error(f"{path}: dataset {ds.name} is not one-dimensional")
    return ds


def load_run(path, requests: bool = True, group: Optional[str] = None) -> RunData:
    """Read a run file. With requests=False, /requests is validated but not read
    (use scan_requests for it). `group` selects one point of a sweep file."""
    path = os.fspath(path)
    with _open(path) as f:
        g = _group(f, path, group)
        req_ds = _dataset(g, "requests", REQUEST_FIELDS, path)
        timeline = _dataset(g, "timeline", TIMELINE_FIELDS, path)[()]
        hosts = _dataset(g, "hosts", HOST_FIELDS, path)[()]
        summary = _dataset(g, "summary", SUMMARY_FIELDS, path)[()]
        reqs = req_ds[()] if requests else None
        policy = g["policy"][()] if "policy" in g else None
        n_requests = req_ds.shape[0]
        meta: Dict[str, object] = {}
        if "meta" in g:
            for k, v in g["meta"].attrs.items():
                meta[k] = _decode_attr(v)
    host_names = [decode_name(x) for x in hosts["name"]]
    tenant_names = [decode_name(x) for x in summary["tenant"]]
    if tenant_names and tenant_names[-1] == "all":
        tenant_names = tenant_names[:-1]
    return RunData(path=path, group=group or "/", requests=reqs,
                   n_requests=n_requests, timeline=timeline, hosts=hosts,
                   summary=summary, host_names=host_names,
                   tenant_names=tenant_names, meta=meta, policy=policy)


def served_mask(rows: np.ndarray) -> np.ndarray:
    """Served requests: an exit was taken (exit >= 0)."""
    return rows["exit"] >= 0


def _chunks(n: int, chunk_rows: int):
    for start in range(0, n, chunk_rows):
        yield start, min(n, start + chunk_rows)


def scan_requests(path, max_cdf_points: int = DEFAULT_MAX_CDF_POINTS,
                  chunk_rows: int = DEFAULT_CHUNK_ROWS,
                  group: Optional[str] = None,
                  n_tenants: Optional[int] = None,
                  warmup: float = 0.0) -> RequestStats:
    """Counts and latency-CDF samples from /requests, read `chunk_rows` rows at a time.

    Only requests arriving at or after `warmup` count, as in /summary (pass
    RunData.warmup to match it; the default 0 counts every request).

    Pass 1 counts requests per tenant and exit; pass 2 (only if some tenant has
    more than `max_cdf_points` served requests) keeps an evenly spaced,
    deterministic selection of each such tenant's served requests in file order.
    Served latencies that are not finite are left out of the CDF.
    """
    if max_cdf_points < 1:
        raise ValueError("max_cdf_points must be >= 1")
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be >= 1")
    path = os.fspath(path)
    # The arrival column is read, and rows dropped, only when there is a warm-up.
    cols = ["tenant", "exit", "latency", "reason"] + (["arrival"] if warmup > 0 else [])
    with _open(path) as f:
        g = _group(f, path, group)
        ds = _dataset(g, "requests", REQUEST_FIELDS, path)
        n = ds.shape[0]
        view = ds.fields(cols)

        nt = int(n_tenants or 0)
        offered = np.zeros(nt, np.int64)
        served = np.zeros(nt, np.int64)
        cdf_n = np.zeros(nt, np.int64)          # finite served latencies
        lost_by_reason = np.zeros((nt, N_REASONS), np.int64)
        exit_counts = np.zeros((nt, 0), np.int64)
        small: Dict[int, List[np.ndarray]] = {}  # latencies kept during pass 1

        def grow(new_nt, new_ne):
            nonlocal offered, served, cdf_n, lost_by_reason, exit_counts
            if new_nt > offered.size:
                pad = new_nt - offered.size
                offered = np.pad(offered, (0, pad))
                served = np.pad(served, (0, pad))
                cdf_n = np.pad(cdf_n, (0, pad))
                lost_by_reason = np.pad(lost_by_reason, ((0, pad), (0, 0)))
                exit_counts = np.pad(exit_counts, ((0, pad), (0, 0)))
            if new_ne > exit_counts.shape[1]:
                exit_counts = np.pad(exit_counts, ((0, 0), (0, new_ne - exit_counts.shape[1])))

        # Pass 1: counts; latencies kept while the total stays within bounds.
        keep_pass1 = True
        kept = 0
        for a, b in _chunks(n, chunk_rows):
            rows = view[a:b]
            if warmup > 0:
                rows = rows[rows["arrival"] >= warmup]
            tenant = rows["tenant"].astype(np.int64)
            ex = rows["exit"].astype(np.int64)
            if tenant.size == 0:
                continue
            grow(int(tenant.max()) + 1, int(max(ex.max(), -1)) + 1)
            nt_now = offered.size
            offered += np.bincount(tenant, minlength=nt_now)
            s = ex >= 0
            served += np.bincount(tenant[s], minlength=nt_now)
            ne = exit_counts.shape[1]
            if ne:
                exit_counts += np.bincount(tenant[s] * ne + ex[s],
                                           minlength=nt_now * ne).reshape(nt_now, ne)
            lost = ~s
            reason = np.clip(rows["reason"][lost].astype(np.int64), 0, N_REASONS - 1)
            lost_by_reason += np.bincount(tenant[lost] * N_REASONS + reason,
                                          minlength=nt_now * N_REASONS).reshape(nt_now, N_REASONS)
            lat = rows["latency"]
            ok = s & np.isfinite(lat)
            cdf_n += np.bincount(tenant[ok], minlength=nt_now)
            if keep_pass1:
                kept += int(ok.sum())
                if kept > max_cdf_points * max(nt_now, 1):
                    keep_pass1 = False
                    small.clear()
                else:
                    for t in np.unique(tenant[ok]):
                        small.setdefault(int(t), []).append(lat[ok & (tenant == t)])

        cdf: Dict[int, np.ndarray] = {}
        sub: Dict[int, bool] = {}
        need = [t for t in range(offered.size) if cdf_n[t] > 0]
        if keep_pass1 and all(cdf_n[t] <= max_cdf_points for t in need):
            for t in need:
                cdf[t] = np.sort(np.concatenate(small.get(t, [])).astype(np.float64))
                sub[t] = False
        else:
            # Pass 2: ordinal o (0-based, among tenant t's finite served latencies
            # in file order) is kept when floor((o+1)m/N) > floor(o m/N): exactly
            # m = min(N, max_cdf_points) evenly spaced rows.
            m = np.minimum(cdf_n, max_cdf_points)
            seen = np.zeros(offered.size, np.int64)
            parts: Dict[int, List[np.ndarray]] = {t: [] for t in need}
            for a, b in _chunks(n, chunk_rows):
                rows = view[a:b]
                if warmup > 0:
                    rows = rows[rows["arrival"] >= warmup]
                tenant = rows["tenant"].astype(np.int64)
                lat = rows["latency"]
                ok = (rows["exit"] >= 0) & np.isfinite(lat)
                for t in np.unique(tenant[ok]):
                    t = int(t)
                    vals = lat[ok & (tenant == t)]
                    o = seen[t] + np.arange(vals.size, dtype=np.int64)
                    seen[t] += vals.size
                    N, mt = int(cdf_n[t]), int(m[t])
                    if mt < N:
                        vals = vals[((o + 1) * mt) // N > (o * mt) // N]
                    parts[t].append(vals)
            for t in need:
                cdf[t] = np.sort(np.concatenate(parts[t]).astype(np.float64))
                sub[t] = bool(cdf_n[t] > max_cdf_points)

    return RequestStats(n_tenants=offered.size, offered=offered, served=served,
                        lost=offered - served, exit_counts=exit_counts,
                        lost_by_reason=lost_by_reason, cdf=cdf, cdf_subsampled=sub)
