#!/usr/bin/python3
"""Generate edgesim's DNN model profiles and their per-device calibration.

Reads the per-block profiles (layer_profiles.csv) and the measured end-to-end
latencies (dnn_latency_ncnn.csv) of ../shared/reference/ and writes

  scenarios/models/<model>.toml         alexnet vgg16 resnet18 resnet50 mobilenetv2 inceptionv3
  scenarios/models/<model>-3exit.toml   the same plus three intermediate exits
                                        (both with `type` on every layer and, from
                                        scenarios/models/measurements/<class>/<model>.csv,
                                        measured `latency` per layer and exit and the
                                        [measurement.<class>] tables)
  tests/data/ncnn_reference.csv         the measured rows used for calibration
  docs/calibration.md                   speeds, efficiencies, measured vs simulated latency, power

Cost model (fixed by the simulator): a host has `core="N"` and a per-core speed
per pstate; an inference runs on all N cores and a layer with F flops takes
F / (N * speed * efficiency[model][device_class]) seconds.  Each device class gets
one nominal per-core speed (the median over the measured models of
total_flops / (latency * N)); the per-model efficiency then reproduces each
measured latency exactly.  Pairs without a measurement use efficiency 1.0, i.e.
the device median.  Measured per-layer latencies (any device class with a
directory under scenarios/models/measurements/) are copied into the model files;
the engine charges them instead of the FLOPs model on those layers, and
docs/calibration.md compares them with the FLOPs model and with the measured
whole-model latency.

Usage: /usr/bin/python3 tools/gen_models.py [--layers CSV] [--latency CSV] [--check]
  --check   regenerate in memory, compare with the files on disk, exit 1 on any
            difference (also checks the host speeds in platforms/*.xml).

Standard library only.
"""

import argparse
import csv
import io
import math
import os
import re
import statistics
import sys
import xml.etree.ElementTree as ET

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REF = os.path.join(REPO, "..", "shared", "reference")

# ---------------------------------------------------------------------------
# Models: output name, name in layer_profiles.csv, name in the ncnn table,
# torchvision top-1 (ImageNet, torchvision's published weights), exits.
# Exits are at ends of blocks/stages near ~10-25 %, ~40-50 %, ~70-80 % of cumulative MACs.
# ---------------------------------------------------------------------------
MODELS = [
    dict(name="alexnet", csv="alexnet", ncnn="alexnet", top1=0.5652,
         exits=["features.0", "features.3", "features.8"],
         exit_note="after pool1 (conv1 stage; BranchyNet's B-AlexNet also branches after the "
                   "first conv stage), after pool2 (conv2 stage), after conv4"),
    dict(name="vgg16", csv="vgg16", ncnn="vgg16", top1=0.7159,
         exits=["features.5", "features.12", "features.19"],
         exit_note="after the conv layers conv2_1 (features.5), conv3_2 (features.12) and "
                   "conv4_2 (features.19), each with its ReLU; Shallow-Deep Networks also "
                   "attaches its VGG-16 ICs after single conv layers"),
    dict(name="resnet18", csv="resnet18", ncnn="resnet18", top1=0.6976,
         exits=["layer1.0", "layer2.0", "layer3.1"],
         exit_note="after basic blocks layer1.0, layer2.0 and layer3.1 (end of stage 3)"),
    dict(name="resnet50", csv="resnet50", ncnn="resnet50", top1=0.7613,
         exits=["layer1.2", "layer2.3", "layer3.5"],
         exit_note="at the ends of stages 1, 2 and 3 (layer1.2, layer2.3, layer3.5)"),
    dict(name="mobilenetv2", csv="mobilenet_v2", ncnn="mobilenet_v2", top1=0.7188,
         exits=["features.3", "features.10", "features.13"],
         exit_note="at the ends of the 24-, 64- and 96-channel stages "
                   "(features.3, features.10, features.13)"),
    dict(name="inceptionv3", csv="inception_v3", ncnn=None, top1=0.7729,
         exits=["Conv2d_4a_3x3", "Mixed_6a", "Mixed_6d"],
         exit_note="at the end of the stem (Conv2d_4a_3x3 + maxpool2), after the 35->17 grid "
                   "reduction (Mixed_6a) and after Mixed_6d (the network's own auxiliary "
                   "classifier sits one module later, after Mixed_6e)"),
]

# ---------------------------------------------------------------------------
# Device classes.  `rows` selects the calibration rows of dnn_latency_ncnn.csv
# (device, backend, threads).  `cores` is the host's core="N".  `pstates` are
# the clock steps (MHz) of the platform's pstates, pstate 0 first; speed scales
# with clock.
# ---------------------------------------------------------------------------
DEVICES = [
    dict(cls="rpi4b", rows=("RPi4B (4xA72 1.5GHz)", "CPU", "4"), cores=4,
         pstates=[1500, 1000, 750, 600],
         note="ncnn rows 'RPi4B (4xA72 1.5GHz)', CPU, 4 threads (our Pi 4B runs at the default "
              "1500 MHz); pstates = firmware DVFS steps 1500/1000/750/600 MHz (devices.csv rpi4b)"),
    dict(cls="rpi3aplus", rows=("RPi3B+ (4xA53 1.4GHz)", "CPU", "4"), cores=4,
         pstates=[1400, 1200, 600],
         note="ncnn rows 'RPi3B+ (4xA53 1.4GHz)', CPU, 4 threads: the 3A+ has the same "
              "BCM2837B0 SoC at the same 1.4 GHz (devices.csv rpi3aplus); pstates 1400 MHz, "
              "1200 MHz (soft temperature limit), 600 MHz (arm_freq_min)"),
    dict(cls="orangepi_zero",
         rows=("BPi M2 Zero (Allwinner H2+, 4xA7 1.2GHz) - same SoC as OrangePi Zero", "CPU", "4"),
         cores=4, pstates=[1200, 1008, 816, 648],
         note="ncnn rows 'BPi M2 Zero (Allwinner H2+, 4xA7 1.2GHz)', CPU, 4 threads: same H2+ SoC "
              "as the OrangePi Zero; pstates 1200 MHz (vendor/BSP) and the mainline OPPs "
              "1008/816/648 MHz (devices.csv orangepi_zero)"),
    dict(cls="jetson_nano", rows=("Jetson Nano (4xA57 + 128-core Maxwell)", "GPU(Vulkan)", "4"),
         cores=1, pstates=[921.6, 640.0],
         note="ncnn rows 'Jetson Nano', GPU(Vulkan), 4 threads; DNN layers run on the GPU, so "
              "the host has core=\"1\" (the GPU); pstate 0 = 10 W MaxN (GPU 921.6 MHz), pstate 1 "
              "= 5 W mode (GPU 640 MHz), speed scaled by GPU clock (devices.csv jetson_nano_10w/5w)"),
    dict(cls="edge_server_x86", rows=None, cores=16, pstates=[None],
         note="REFERENCE.md sec. 3.3: PyTorch 2.11 eager fp32 batch 1 on a 16-vCPU Intel Xeon VM, "
              "16 threads (not ncnn; the only x86 figures available); InceptionV3 is measured "
              "there, so it is calibrated exactly on this class"),
    dict(cls="x86_epyc_2vcpu", rows=None, cores=2, pstates=[None], from_measurements=True,
         note="the `__model__` (whole-model) rows of scenarios/models/measurements/x86_epyc_2vcpu/: "
              "tools/profile_model.py, PyTorch eager fp32 batch 1, 2 threads, on the 2-vCPU AMD "
              "EPYC VM that builds this repository; its layers carry those per-layer latencies"),
    dict(cls="rpi_a_plus", rows=None, cores=1, pstates=[700],
         note="GUESS: no DNN benchmark of an ARMv6 board was found. Per-core speed = RPi3B+ "
              "per-core speed x 700/1400 (clock) / 4 (assumed penalty: in-order ARM1176 with "
              "VFPv2 only, no NEON, 16 KiB L1 and no CPU L2); efficiency 1.0 for every model"),
]

# REFERENCE.md sec. 3.3, "16 threads ms" column (x86 edge-server CPU reference).
X86_16THR_MS = {"alexnet": 4.8, "vgg16": 53.3, "resnet18": 11.2, "resnet50": 26.1,
                "mobilenetv2": 11.5, "inceptionv3": 47.3}
FROM_MEASUREMENTS = {d["cls"] for d in DEVICES if d.get("from_measurements")}
X86_SOURCE = "REFERENCE.md sec. 3.3 (PyTorch 2.11 eager fp32 16 threads 16-vCPU Xeon VM)"

RPI_A_PLUS_NEON_PENALTY = 4.0
EXIT_CURVE = (0.75, 1.5)   # exit accuracy = top1 * (1 - a * (1 - f)**b), f = cumulative MAC share


def sig(x, n):
    """Round x to n significant digits."""
    if x == 0:
        return 0.0
    return round(x, n - 1 - int(math.floor(math.log10(abs(x)))))


def fmt_num(x, n=6):
    """Shortest decimal text of x rounded to n significant digits."""
    return repr(sig(x, n))


def gf(speed):
    """SimGrid speed string for flops/s, e.g. 5.148Gf."""
    return f"{sig(speed / 1e9, 4):g}Gf"


# ---------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------
def read_layers(path):
    rows = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            rows.setdefault(r["model"], []).append(r)
    return rows


def read_latency(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def build_blocks(rows):
    """Merge zero-MAC rows into the preceding block.

    A zero-MAC row (ReLU, BN, pooling, flatten, dropout) only changes the
    activation; merging keeps the cut after it (the smaller activation) and drops
    only the cut before it, which moves no compute and sends more bytes.
    Returns (input_bytes, blocks); each block has name, macs, params, out_bytes,
    out_shape, cum_frac, merged (list of row names).
    """
    assert rows[0]["block"] == "input"
    input_bytes = int(rows[0]["out_bytes_fp32"])
    blocks = []
    for r in rows[1:]:
        macs, params = int(r["macs"]), int(r["params"])
        if macs == 0 and blocks:
            b = blocks[-1]
            b["params"] += params
            b["merged"].append(r["block"])
        else:
            blocks.append(dict(name=r["block"], macs=macs, params=params, merged=[r["block"]]))
            b = blocks[-1]
        b["out_bytes"] = int(r["out_bytes_fp32"])
        b["out_shape"] = r["out_shape"]
        b["cum_frac"] = float(r["cum_macs_frac"])
    return input_bytes, blocks


def exit_head_flops(shape):
    """Global average pool + FC(C->1000): C*H*W adds + 2*C*1000 flops."""
    dims = [int(d) for d in shape.split("x")]
    c = dims[0]
    hw = dims[1] * dims[2] if len(dims) == 3 else 1
    return c * hw + 2 * c * 1000


def exit_accuracy(top1, frac):
    a, b = EXIT_CURVE
    return round(top1 * (1.0 - a * (1.0 - frac) ** b), 4)


# ---------------------------------------------------------------------------
# Measured per-layer latencies: scenarios/models/measurements/<class>/<model>.csv
# (format: docs/calibration.md "Measured per-layer latency"; written by
# tools/profile_model.py or transcribed from a published per-layer table).
# ---------------------------------------------------------------------------
MEAS_DIR = os.path.join("scenarios", "models", "measurements")
MEAS_COLUMNS = ["layer", "type", "latency_ms", "spread_ms", "out_bytes", "param_bytes", "flops"]
LAYER_TYPES = ("conv", "depthwise", "fc", "pool", "norm", "act", "block", "other")


def layer_type(model_name, block):
    """edgesim layer type of a shipped block: a residual, inverted-residual or inception
    module is a `block`, a classifier Linear `fc`, any other MAC-bearing block (a Conv2d
    with its BN/ReLU/pooling) `conv`. tools/profile_model.py derives the same types from
    the operators a block runs; measurement CSVs are checked against this."""
    name = block["name"]
    if block["macs"] == 0:
        return "other"
    if name.startswith(("classifier.", "fc")):
        return "fc"
    if name.startswith(("layer", "Mixed_")):
        return "block"
    if model_name == "mobilenetv2" and name.startswith("features.") and \
            1 <= int(name.split(".")[1]) <= 17:
        return "block"
    return "conv"


def parse_scaling(text, where):
    """'1:1.0 2:1.87' -> [(1, 1.0), (2, 1.87)]."""
    points = []
    for item in text.split():
        try:
            n, v = item.split(":")
            points.append((int(n), float(v)))
        except ValueError:
            raise SystemExit(f"{where}: scaling: 'threads:speedup' pairs, not '{item}'")
    ns = [n for n, _ in points]
    if not points or ns != sorted(set(ns)) or ns[0] < 1 or any(v <= 0 for _, v in points):
        raise SystemExit(f"{where}: scaling: threads strictly increasing from >= 1, speed-ups > 0")
    return points


def read_measurement_csv(path, m, rel):
    """One measurement file of model m: dict(meta, layers{name: row}, model_ms, exits{i: row})."""
    meta, comments, body = {}, [], []
    with open(path, newline="") as f:
        for line in f:
            if line.startswith("#") and not body:
                text = line[1:].strip()
                comments.append(text)
                key, sep, value = text.partition(":")
                if sep and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key.strip()):
                    meta.setdefault(key.strip(), value.strip())
            elif line.strip():
                body.append(line)
    reader = csv.DictReader(body)
    if reader.fieldnames is None or [c.strip() for c in reader.fieldnames] != MEAS_COLUMNS:
        raise SystemExit(f"{rel}: columns must be {','.join(MEAS_COLUMNS)}")
    blocks = {b["name"]: b for b in m["blocks"]}
    out = dict(meta=meta, comments=comments, layers={}, model_ms=None, exits={}, rel=rel)
    for r in reader:
        r = {k.strip(): (v or "").strip() for k, v in r.items()}
        name, where = r["layer"], f"{rel}: layer {r['layer']}"
        try:
            ms = float(r["latency_ms"])
        except ValueError:
            raise SystemExit(f"{where}: latency_ms '{r['latency_ms']}' is not a number")
        if not (ms > 0 and math.isfinite(ms)):
            raise SystemExit(f"{where}: latency_ms must be positive")
        text = r["latency_ms"] if re.fullmatch(r"\d+(\.\d+)?", r["latency_ms"]) else f"{ms:.6f}"
        row = dict(ms=ms, text=text, spread=r["spread_ms"], type=r["type"], flops=r["flops"])
        if name == "__model__":
            out["model_ms"], out["model_text"] = ms, text
            continue
        em = re.fullmatch(r"__exit(\d+)__", name)
        if em:
            i = int(em.group(1))
            if i >= len(m["exits"]):
                raise SystemExit(f"{where}: the -3exit model has exits 0..{len(m['exits']) - 1}")
            after = meta.get(f"exit{i}", "")
            am = re.match(r"after (\S+?),?(\s|$)", after)
            if am and am.group(1) != m["exits"][i]:
                raise SystemExit(f"{where}: measured after {am.group(1)}, the model's exit {i} is after "
                                 f"{m['exits'][i]}")
            out["exits"][i] = row
            continue
        if name not in blocks:
            raise SystemExit(f"{where}: not a block of {m['name']} "
                             f"(blocks: {' '.join(blocks)})")
        b = blocks[name]
        if r["flops"]:
            flops = float(r["flops"])
            if abs(flops - 2 * b["macs"]) > 0.005 * max(1.0, 2 * b["macs"]):
                raise SystemExit(f"{where}: flops {r['flops']} != the block's {2 * b['macs']} "
                                 "(not the same block definition)")
        if r["type"] and r["type"] != layer_type(m["name"], b):
            raise SystemExit(f"{where}: type '{r['type']}' != '{layer_type(m['name'], b)}' "
                             f"(tools/gen_models.py layer_type)")
        if name in out["layers"]:
            raise SystemExit(f"{where}: listed twice")
        out["layers"][name] = row
    try:
        out["threads"] = int(meta["threads"])
        out["pstate"] = int(meta.get("pstate", "0"))
    except (KeyError, ValueError):
        raise SystemExit(f"{rel}: needs a '# threads: N' line (and '# pstate: N' if not 0)")
    if out["threads"] < 1 or out["pstate"] < 0:
        raise SystemExit(f"{rel}: threads >= 1, pstate >= 0")
    out["scaling"] = parse_scaling(meta["scaling"], rel) if meta.get("scaling") else None
    if out["scaling"] and out["threads"] not in [n for n, _ in out["scaling"]]:
        raise SystemExit(f"{rel}: the scaling curve must contain the measurement's {out['threads']} threads")
    if not out["layers"]:
        raise SystemExit(f"{rel}: no layer rows")
    out["source"] = meta.get("source") or "; ".join(comments[:3]) or rel
    return out


def read_measurements(repo, models):
    """meas[model][device_class] for every CSV under scenarios/models/measurements/."""
    meas = {m["name"]: {} for m in models}
    by_name = {m["name"]: m for m in models}
    root = os.path.join(repo, MEAS_DIR)
    if not os.path.isdir(root):
        return meas
    for cls in sorted(os.listdir(root)):
        cdir = os.path.join(root, cls)
        if not os.path.isdir(cdir):
            continue
        if not re.fullmatch(r"[A-Za-z0-9_-]+", cls):
            raise SystemExit(f"{MEAS_DIR}/{cls}: a device class name is letters, digits, '_' or '-'")
        for fn in sorted(os.listdir(cdir)):
            if not fn.endswith(".csv"):
                continue
            rel = "/".join((MEAS_DIR.replace(os.sep, "/"), cls, fn))
            name = fn[:-4]
            if name not in by_name:
                raise SystemExit(f"{rel}: no shipped model '{name}' (one of {' '.join(by_name)})")
            meas[name][cls] = read_measurement_csv(os.path.join(cdir, fn), by_name[name], rel)
    return meas


def speedup(scaling, n):
    """Speed-up at n threads, as the engine evaluates a [measurement] scaling curve
    (src/model/measured_latency.cpp): linear interpolation from (1, 1) through the
    points, Amdahl's law through the last point beyond it; linear without a curve."""
    n = max(1, n)
    if not scaling:
        return float(n)
    lo_n, lo_s = 1, 1.0
    for pn, ps in scaling:
        if n <= pn:
            if pn == lo_n:
                return ps
            return lo_s + (n - lo_n) / (pn - lo_n) * (ps - lo_s)
        lo_n, lo_s = pn, ps
    if lo_n <= 1 or lo_s <= 1.0:
        return lo_s
    p = (1.0 - 1.0 / lo_s) / (1.0 - 1.0 / lo_n)
    if p >= 1.0:
        return lo_s * n / lo_n
    return 1.0 / ((1.0 - p) + p / n)


def toml_str(s):
    """A TOML basic string."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---------------------------------------------------------------------------
# Calibration
# ---------------------------------------------------------------------------
def calibrate(models, latency_rows, meas):
    """Return (speeds, eff, calib) where

    speeds[cls] = list of per-core flops/s per pstate (rounded as written in the XML),
    eff[model][cls] = efficiency, calib = list of calibration records.
    """
    by_ncnn = {m["ncnn"]: m for m in models if m["ncnn"]}
    by_name = {m["name"]: m for m in models}
    measured = {}   # cls -> {model: (ms, record)}
    for d in DEVICES:
        cls = d["cls"]
        measured[cls] = {}
        if d["rows"]:
            dev, backend, threads = d["rows"]
            for r in latency_rows:
                if (r["device"], r["backend"], r["threads"]) == (dev, backend, threads) \
                        and r["model"] in by_ncnn:
                    m = by_ncnn[r["model"]]
                    measured[cls][m["name"]] = dict(ms=float(r["avg_ms"]), ncnn_model=r["model"],
                                                    backend=backend, threads=int(threads),
                                                    source=r["source"], device=dev)
        elif d.get("from_measurements"):
            for name, per_class in meas.items():
                mc = per_class.get(cls)
                if mc is None or mc["model_ms"] is None:
                    continue
                if mc["threads"] != d["cores"] or mc["pstate"] != 0:
                    raise SystemExit(f"{mc['rel']}: {cls} is calibrated at {d['cores']} threads, "
                                     "pstate 0 (the platform host's cores)")
                measured[cls][name] = dict(ms=mc["model_ms"], ncnn_model=by_name[name]["csv"],
                                           backend="pytorch-cpu", threads=mc["threads"],
                                           source=mc["rel"], device=cls)
            if not measured[cls]:
                raise SystemExit(f"{MEAS_DIR}/{cls}/: no measurement CSV with a __model__ row "
                                 f"(the {cls} speed is calibrated from them)")
        elif cls == "edge_server_x86":
            for name, ms in X86_16THR_MS.items():
                measured[cls][name] = dict(ms=ms, ncnn_model=by_name[name]["csv"],
                                           backend="pytorch-cpu", threads=16,
                                           source=X86_SOURCE, device="x86 16-vCPU Xeon VM")

    speeds, eff, raw_median = {}, {m["name"]: {} for m in models}, {}
    for d in DEVICES:
        cls, n = d["cls"], d["cores"]
        if cls == "rpi_a_plus":
            continue
        rates = [by_name[k]["flops"] / (v["ms"] / 1e3 * n) for k, v in measured[cls].items()]
        raw_median[cls] = statistics.median(rates)
        s0 = sig(raw_median[cls], 4)
        if d["pstates"][0] is None:
            speeds[cls] = [s0]
        else:
            speeds[cls] = [s0 if i == 0 else sig(s0 * f / d["pstates"][0], 4)
                           for i, f in enumerate(d["pstates"])]
    # Pi A+: derived from the RPi3B+ per-core median (GUESS, see DEVICES note).
    s_a = sig(raw_median["rpi3aplus"] * 700.0 / 1400.0 / RPI_A_PLUS_NEON_PENALTY, 4)
    speeds["rpi_a_plus"] = [s_a]

    calib = []
    for d in DEVICES:
        cls, n = d["cls"], d["cores"]
        s0 = speeds[cls][0]
        for m in models:
            meas = measured[cls].get(m["name"])
            if meas:
                e = float(fmt_num(m["flops"] / (meas["ms"] / 1e3 * n * s0)))
            else:
                e = 1.0
            eff[m["name"]][cls] = e
            sim_ms = m["flops"] / (n * s0 * e) * 1e3
            calib.append(dict(cls=cls, model=m["name"], cores=n, speed=s0, eff=e,
                              sim_ms=sim_ms, meas=meas))
    return speeds, eff, calib


# ---------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------
def model_toml(m, with_exits, eff, meas):
    name = m["name"] + ("-3exit" if with_exits else "")
    side = 299 if m["name"] == "inceptionv3" else 224
    out = io.StringIO()
    w = out.write
    w(f"# edgesim DNN profile: {name}\n")
    w("# Generated by tools/gen_models.py -- do not edit by hand, rerun the script.\n")
    w("# ../shared/reference/ is the project's reference data, beside the repository (paths from\n")
    w("# the repository's root).\n#\n")
    w(f"# Layers: ../shared/reference/layer_profiles.csv, model '{m['csv']}' (torchvision definition,\n")
    w(f"#   batch 1, fp32, {side}x{side} input; MACs of Conv2d + Linear only, counted with forward hooks\n")
    w("#   by ../shared/reference/dnnprof.py). The 'input' row (idx 0) gives input_bytes.\n")
    w("#   flops = 2 x MACs; param_bytes = 4 x parameters; out_bytes = fp32 output of the block.\n")
    w("#   Zero-MAC rows (ReLU, BN, pooling, flatten, dropout) are merged into the preceding block:\n")
    w("#   its out_bytes is the output of the last merged row, so the cut after a pooling layer is\n")
    w("#   kept and only the dominated cut before it (same compute, larger activation) is dropped.\n")
    w(f"#   Total {m['macs'] / 1e9:.3f} GMACs = {m['flops']:.6g} flops, "
      f"{m['params'] / 1e6:.2f} M parameters.\n")
    w(f"# [final] accuracy: torchvision's published ImageNet top-1 for {m['csv']}.\n")
    w("# [confidence]: synthetic per-request difficulty model (docs/model.md, exit behaviour);\n")
    w("#   the correlation of confidence/correctness with difficulty (difficulty_correlation\n")
    w("#   below) is an assumption, not a measurement (docs/exit-traces.md compares it with a\n")
    w("#   real trace).\n")
    w("# [efficiency]: fraction of the host's nominal per-core speed this model reaches per device\n")
    w("#   class; see docs/calibration.md. Measured pairs reproduce the measured latency exactly;\n")
    if m["ncnn"]:
        w(f"#   ncnn model '{m['ncnn']}' (Tencent/ncnn benchmark/README.md via\n")
        w("#   ../shared/reference/dnn_latency_ncnn.csv); edge_server_x86 from REFERENCE.md sec. 3.3;\n")
        w("#   x86_epyc_2vcpu from the whole-model row of its measurement CSV.\n")
    else:
        w("#   InceptionV3 is not in the ncnn table: ARM/Jetson classes use 1.0 (the device median;\n")
        w("#   GoogLeNet is not used as a proxy because its MACs are not in layer_profiles.csv);\n")
        w("#   edge_server_x86 is calibrated from REFERENCE.md sec. 3.3 (InceptionV3 measured),\n")
        w("#   x86_epyc_2vcpu from the whole-model row of its measurement CSV.\n")
    w("#   Unmeasured pairs (and every rpi_a_plus entry) are 1.0 = device median.\n")
    if with_exits:
        a, b = EXIT_CURVE
        w("#\n# Exits: " + m["exit_note"] + ".\n")
        w("#   flops = classifier head = global average pool + FC(C->1000): C*H*W + 2*C*1000\n")
        w("#   (assumption: a single linear head on the pooled features, as in BranchyNet-style\n")
        w("#   branches without extra conv layers).\n")
        w(f"#   accuracy = ASSUMPTION: top1_final * (1 - {a} * (1 - f)^{b}), f = cumulative MAC share at\n")
        w("#   the exit. No per-exit ImageNet accuracy of these networks was found (REFERENCE.md\n")
        w("#   sec. 4.2/4.3: Shallow-Deep Networks and MSDNet tables not readable). The curve is\n")
        w("#   patterned on published multi-exit behaviour: shallow exits of a standard backbone are\n")
        w("#   far below the final classifier on a 1000-class task and approach it past ~75 % of\n")
        w("#   the compute. (BranchyNet's B-AlexNet exit 1 reaches 97 % of the final accuracy, but on\n")
        w("#   10-class CIFAR-10 -- not representative for ImageNet.) Replace with measured values\n")
        w("#   or an exit trace ([confidence] trace = ...) when available.\n")
    mm = meas.get(m["name"], {})
    w("#\n# type: layer type (tools/gen_models.py layer_type): conv = a Conv2d with its BN/ReLU/pooling,\n")
    w("#   block = a residual / inverted-residual / inception module, fc = a classifier Linear.\n")
    if mm:
        w("# Measured per-layer latency (latency.<class> on layers")
        w(" and exits" if with_exits else "")
        w(", [measurement.<class>]; docs/calibration.md\n")
        w("#   \"Measured per-layer latency\"): on a host of that device_class a measured layer takes its\n")
        w("#   latency at the measurement's pstate and thread count, scaled by the per-core speed ratio\n")
        w("#   and the speed-up curve otherwise; unmeasured layers and classes use [efficiency].\n")
        for cls, d in sorted(mm.items()):
            w(f"#   {cls}: {d['rel']}\n#     ({d['source']})\n")
    w("\n")
    w(f'name = "{name}"\n')
    w(f"input_bytes = {m['input_bytes']}\n")
    for cls, d in sorted(mm.items()):
        w(f"\n[measurement.{cls}]\n")
        w(f"pstate = {d['pstate']}\n")
        w(f"threads = {d['threads']}\n")
        if d["scaling"]:
            w("scaling = [" + ", ".join(f"[{n}, {v!r}]" for n, v in d["scaling"]) + "]\n")
        if d["model_ms"] is not None:
            w(f'model_latency = "{d["model_text"]}ms"\n')
        w(f"source = {toml_str(d['source'])}\n")
    for b in m["blocks"]:
        w("\n[[layers]]\n")
        if len(b["merged"]) > 1:
            w(f"# merged: {' '.join(b['merged'])}; cumulative MACs {100 * b['cum_frac']:.1f} %\n")
        else:
            w(f"# cumulative MACs {100 * b['cum_frac']:.1f} %\n")
        w(f'name = "{b["name"]}"\n')
        w(f'type = "{layer_type(m["name"], b)}"\n')
        w(f"flops = {float(2 * b['macs'])!r}\n")
        w(f"out_bytes = {b['out_bytes']}\n")
        w(f"param_bytes = {4 * b['params']}\n")
        lat = {cls: d["layers"][b["name"]]["text"] for cls, d in sorted(mm.items())
               if b["name"] in d["layers"]}
        if lat:
            w("latency = { " + ", ".join(f'{c} = "{v}ms"' for c, v in lat.items()) + " }\n")
    if with_exits:
        for i, e in enumerate(m["exit_list"]):
            w("\n[[exits]]\n")
            w(f"# at {100 * e['frac']:.1f} % of the MACs; input {e['shape']}\n")
            w(f'after = "{e["after"]}"\n')
            w(f"flops = {float(e['flops'])!r}\n")
            w(f"accuracy = {e['accuracy']}\n")
            lat = {cls: d["exits"][i]["text"] for cls, d in sorted(mm.items()) if i in d["exits"]}
            if lat:
                w("latency = { " + ", ".join(f'{c} = "{v}ms"' for c, v in lat.items()) + " }\n")
    w("\n[final]\n")
    w(f"accuracy = {m['top1']}\n")
    w("\n[confidence]\n")
    w('source = "synthetic"\n')
    w("difficulty_correlation = 0.95\n")
    w("\n[efficiency]\n")
    for d in DEVICES:
        w(f"{d['cls']} = {eff[m['name']][d['cls']]!r}\n")
    return out.getvalue()


def reference_csv(calib):
    out = io.StringIO()
    out.write("# Measured 4-thread (Jetson: GPU Vulkan; edge_server_x86: 16-thread; x86_epyc_2vcpu: "
              "2-thread) end-to-end latencies used to "
              "calibrate edgesim's device speeds and per-model efficiencies (tools/gen_models.py).\n")
    out.write("# Source: Tencent/ncnn benchmark/README.md (benchncnn fp32 batch 1) via "
              "../shared/reference/dnn_latency_ncnn.csv; edge_server_x86 rows from "
              "../shared/reference/REFERENCE.md sec. 3.3 (PyTorch eager); x86_epyc_2vcpu rows from "
              "the __model__ rows of scenarios/models/measurements/x86_epyc_2vcpu/ (tools/profile_model.py).\n")
    out.write("# cores = the host's core count in platforms/*.xml; simulated latency = "
              "total flops / (cores * pstate-0 speed * efficiency).\n")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["device_class", "model", "ncnn_model", "backend", "threads", "cores",
                "measured_ms", "source"])
    for c in calib:
        if c["meas"]:
            mm = c["meas"]
            w.writerow([c["cls"], c["model"], mm["ncnn_model"], mm["backend"], mm["threads"],
                        c["cores"], mm["ms"], mm["source"]])
    return out.getvalue()


def platform_hosts(platdir):
    """Parse platforms/*.xml: list of (file, host id, attrs, props)."""
    hosts = []
    if not os.path.isdir(platdir):
        return hosts
    for fn in sorted(os.listdir(platdir)):
        if not fn.endswith(".xml"):
            continue
        try:
            root = ET.parse(os.path.join(platdir, fn)).getroot()
        except ET.ParseError as e:
            print(f"warning: {fn}: {e}", file=sys.stderr)
            continue
        for h in root.iter("host"):
            props = {p.get("id"): p.get("value") for p in h.findall("prop")}
            hosts.append((fn, h.get("id"), dict(h.attrib), props))
    return hosts


def check_platforms(platdir, speeds):
    """Every host with a device_class must carry the calibrated speeds and cores."""
    errors = []
    cores = {d["cls"]: d["cores"] for d in DEVICES}
    for fn, hid, attrs, props in platform_hosts(platdir):
        cls = props.get("device_class")
        if cls is None:
            continue
        if cls not in speeds:
            errors.append(f"{fn}: host {hid}: unknown device_class {cls}")
            continue
        want = ",".join(gf(s) for s in speeds[cls])
        got = attrs.get("speed", "").replace(" ", "")
        if got != want:
            errors.append(f"{fn}: host {hid}: speed '{got}' != calibrated '{want}'")
        if attrs.get("core", "1") != str(cores[cls]):
            errors.append(f"{fn}: host {hid}: core '{attrs.get('core')}' != {cores[cls]}")
    return errors


def power_table(platdir):
    """Rows (class, pstate speeds, wattage_per_state, wattage_off) from platforms/devices.xml."""
    rows = []
    for fn, hid, attrs, props in platform_hosts(platdir):
        if fn != "devices.xml" or "device_class" not in props:
            continue
        rows.append((props["device_class"], attrs.get("speed"), attrs.get("core", "1"),
                     props.get("wattage_per_state", ""), props.get("wattage_off", "")))
    return rows


def measured_rows(models, speeds, eff, meas):
    """Per (model, class) with a measurement CSV: FLOPs-model errors and fidelity figures."""
    cores = {d["cls"]: d["cores"] for d in DEVICES}
    rows = []
    for m in models:
        for cls, d in sorted(meas[m["name"]].items()):
            n, ps = d["threads"], d["pstate"]
            known = cls in speeds and ps < len(speeds[cls])
            r = dict(model=m["name"], cls=cls, d=d, known=known, n=n)
            measured = [b for b in m["blocks"] if b["name"] in d["layers"]]
            r["n_layers"], r["n_measured"] = len(m["blocks"]), len(measured)
            lat = {b["name"]: d["layers"][b["name"]]["ms"] for b in measured}
            r["sum_measured_ms"] = sum(lat.values())
            r["model_ms"] = d["model_ms"]
            if known:
                rate = n * speeds[cls][ps] * eff[m["name"]][cls]   # flops/s at the measurement
                fl = {b["name"]: 2 * b["macs"] / rate * 1e3 for b in m["blocks"]}
                errs = sorted((abs(fl[k] - v) / v, k) for k, v in lat.items())
                r["median_err"] = statistics.median(e for e, _ in errs)
                r["max_err"], r["max_layer"] = errs[-1]
                k = r["sum_measured_ms"] / sum(fl[b] for b in lat)
                errs2 = sorted((abs(k * fl[b] - v) / v, b) for b, v in lat.items())
                r["median_err_rescaled"] = statistics.median(e for e, _ in errs2)
                r["max_err_rescaled"], r["max_layer_rescaled"] = errs2[-1]
                r["flops_model_ms"] = sum(fl.values())
                fc = [b["name"] for b in measured if layer_type(m["name"], b) == "fc"]
                r["fc_time_share"] = sum(lat[b] for b in fc) / r["sum_measured_ms"]
                r["fc_flops_share"] = sum(fl[b] for b in fc) / sum(fl[b] for b in lat)
                unmeasured = sum(fl[b["name"]] for b in m["blocks"] if b["name"] not in lat)
            else:
                unmeasured = None
            # What the engine charges one request at the measurement's pstate and threads.
            r["sim_ms"] = None if unmeasured is None and r["n_measured"] < r["n_layers"] else \
                r["sum_measured_ms"] + (unmeasured or 0.0)
            if cls in cores and known:
                nh = cores[cls]
                factor = speedup(d["scaling"], n) / speedup(d["scaling"], nh) * speeds[cls][ps] / speeds[cls][0]
                host_rate = nh * speeds[cls][0] * eff[m["name"]][cls]
                r["host_cores"] = nh
                r["host_ms"] = factor * r["sum_measured_ms"] + sum(
                    2 * b["macs"] / host_rate * 1e3 for b in m["blocks"] if b["name"] not in lat)
                r["host_flops_ms"] = sum(2 * b["macs"] for b in m["blocks"]) / host_rate * 1e3
            rows.append(r)
    return rows


PUBLISHED_PER_LAYER = """### Published per-layer measurements of Pi and Jetson boards

None of the shipped models has a published per-layer table for a Pi, OrangePi or Jetson
board that could be transcribed, so those classes keep the FLOPs model calibrated on ncnn's
whole-model latencies. Searched (public papers, code and issue threads): Neurosurgeon and
DNN Surgery (layer-wise figures only as plots, REFERENCE.md sec. 3.4);
`hush66/DNN-Partition-demo` (`Time_Prediction.py`: Neurosurgeon-style per-layer-type
regression coefficients for a BranchyNet AlexNet on CIFAR-10, no board named, no raw
timings); `cowanmeg/cgo-artifact-2020` (`scripts/rasp3b*.log`: TVM tuning logs of 1-2 bit
bit-serial ResNet-18 convolutions on a Raspberry Pi 3B, not fp32 blocks);
`ismetdagli/HaX-CoNN` (TensorRT per-layer profiles of GoogLeNet on Jetson Xavier/Orin GPUs,
not a shipped model or a Nano-class board); `isabellyrocha/edgetune` (whole-model PyTorch
latencies on a Raspberry Pi 3B+ and ARMv7 boards, no per-layer rows); Velasco-Montero et
al., "Performance analysis of real-time DNN inference on Raspberry Pi" (whole-network
throughput per framework). A per-layer table of a board goes into
`scenarios/models/measurements/<class>/<model>.csv` (cite it in the `# source:` line);
`tools/profile_model.py` produces one on the board itself.

"""


def measured_md(models, speeds, eff, calib, meas):
    """The 'Measured per-layer latency' section of docs/calibration.md."""
    out = io.StringIO()
    w = out.write
    rows = measured_rows(models, speeds, eff, meas)
    w("## Measured per-layer latency\n\n")
    w("A model file may carry measured latencies instead of relying on the FLOPs model: a layer's\n")
    w("`latency = { <class> = \"1.23ms\" }` (also on `[[exits]]`, the classifier head) and, per class,\n")
    w("`[measurement.<class>]` with `pstate`, `threads`, an optional `scaling` curve (measured\n")
    w("whole-model speed-up at n threads vs 1 thread), `model_latency` and `source` ([formats.md](formats.md),\n")
    w("\"Model files\"). On a host whose `device_class` has a latency for a layer, the engine charges\n\n")
    w("    t = latency x speed[ref pstate] / speed[pstate] x speedup(ref threads) / speedup(threads)\n\n")
    w("where threads = the host's cores / servers; so at the measurement's pstate and thread count a\n")
    w("layer takes exactly its measured latency. `speedup(n)` is interpolated linearly between the\n")
    w("`scaling` points (from (1, 1)), extrapolated past the last point with Amdahl's law\n")
    w("S(n) = 1 / ((1 - p) + p / n) through it, and is linear (n) without a curve. Layers without a\n")
    w("latency for the host's class, and classes without measurements, keep the FLOPs model above\n")
    w("(the ncnn whole-model efficiencies are the fallback, unchanged).\n\n")
    w("The per-layer tables live in `scenarios/models/measurements/<class>/<model>.csv` (`#` header\n")
    w("lines naming the source, CPU or board, framework, threads, date; `# threads:`, `# pstate:`,\n")
    w("`# scaling: 1:1.0 2:1.87` give the `[measurement]` table; columns\n")
    w("`layer,type,latency_ms,spread_ms,out_bytes,param_bytes,flops`, one row per block named as in\n")
    w("the model file, `__model__` = whole-model latency, `__exit<i>__` = exit head i). This script\n")
    w("copies them into every shipped model with that name (plain and `-3exit`), checking each\n")
    w("row's block name, flops and type against the model. `tools/profile_model.py` writes such a\n")
    w("CSV (and updates a model file directly) on your own board; add a directory per device class.\n\n")
    if not rows:
        w("No measurement files yet.\n\n")
        return out.getvalue()
    w("### Sources\n\n")
    w("| device_class | model | file | layers measured | threads | pstate | scaling | source | load average start / end |\n")
    w("|---|---|---|---|---|---|---|---|---|\n")
    for r in rows:
        d = r["d"]
        sc = " ".join(f"{n}:{v:g}" for n, v in d["scaling"]) if d["scaling"] else "linear"
        load = f"{d['meta'].get('loadavg_start', '?')} / {d['meta'].get('loadavg_end', '?')}" \
            if "loadavg_start" in d["meta"] else "-"
        w(f"| {r['cls']} | {r['model']} | `{d['rel']}` | {r['n_measured']}/{r['n_layers']}"
          f"{' + ' + str(len(d['exits'])) + ' exits' if d['exits'] else ''} | {d['threads']} | "
          f"{d['pstate']} | {sc} | {d['source']} | {load} |\n")
    w("\nLatencies are medians over the timed runs (`spread_ms` in the CSV: inter-quartile range);\n")
    w("each file's header gives the CPU, PyTorch version, date, warm-up and repeat counts. The\n")
    w("x86_epyc_2vcpu tables were measured on the machine that builds this repository (an AMD\n")
    w("EPYC VM with 2 vCPUs, PyTorch eager fp32, batch 1, 2 threads). They are a device class of\n")
    w("their own, with a 2-core host `x86_epyc_2vcpu` in `platforms/devices.xml` whose FLOPs speed\n")
    w("and efficiencies are calibrated from the same files' whole-model rows, rather than being\n")
    w("charged to the 16-vCPU Xeon of `edge_server_x86`: a measurement describes the machine it\n")
    w("was taken on, and extrapolating a 1-2 thread curve to 16 threads (Amdahl through two\n")
    w("points) missed the Xeon's measured 16-thread latencies by -87 % to +503 %.\n\n")
    known = [r for r in rows if r["known"]]
    if known:
        w("### Per-layer latency vs the FLOPs model\n\n")
        w("FLOPs-model time of a layer = flops / (threads x speed[pstate] x efficiency[model][class]),\n")
        w("with the measurement's thread count and pstate and the class's speed and efficiency from the\n")
        w("tables above; error = |FLOPs model - measured| / measured over the measured layers. The\n")
        w("whole-model column compares the FLOPs model's sum over all layers with the measured\n")
        w("whole-model latency (`__model__`); the last two columns scale the FLOPs model so that its sum\n")
        w("over the measured layers equals theirs, which leaves only the error of splitting a model's\n")
        w("time in proportion to flops (what a cut point sees).\n\n")
        w("The `fc` columns give the classifier layers' share of the measured time and of the flops:\n")
        w("a fully connected layer at batch 1 reads every weight once per request, so it is bound by\n")
        w("memory bandwidth, not by arithmetic, and the FLOPs model under-charges it most.\n\n")
        w("| device_class | model | threads | median err % | max err % (layer) | whole-model err % | "
          "rescaled median err % | rescaled max err % (layer) | fc % of time | fc % of flops |\n")
        w("|---|---|---|---|---|---|---|---|---|---|\n")
        for r in known:
            whole = r["model_ms"] if r["model_ms"] is not None else r["sum_measured_ms"]
            werr = 100.0 * (r["flops_model_ms"] - whole) / whole
            w(f"| {r['cls']} | {r['model']} | {r['n']} | {100 * r['median_err']:.1f} | "
              f"{100 * r['max_err']:.1f} ({r['max_layer']}) | {werr:+.1f} | "
              f"{100 * r['median_err_rescaled']:.1f} | {100 * r['max_err_rescaled']:.1f} "
              f"({r['max_layer_rescaled']}) | {100 * r['fc_time_share']:.1f} | "
              f"{100 * r['fc_flops_share']:.1f} |\n")
        w("\n")
        if any(r["cls"] in FROM_MEASUREMENTS for r in known):
            w("A class calibrated from its own whole-model measurements (")
            w(", ".join(sorted({r["cls"] for r in known if r["cls"] in FROM_MEASUREMENTS})))
            w(") has a whole-model\n")
            w("error of 0 by construction; its per-layer columns are then the FLOPs model's error in\n")
            w("sharing a model's time among its layers, which is what moves a split point.\n\n")
    w(PUBLISHED_PER_LAYER)
    w("### Fidelity: simulated vs measured single-request latency\n\n")
    w("Simulated = what the engine charges one request running alone at the measurement's pstate\n")
    w("and thread count: the sum of the layers' measured latencies (plus the FLOPs model for any\n")
    w("unmeasured layer); measured = the whole-model latency of the same session. The difference is\n")
    w("the cost of running the network block by block (timer calls, one more Python call per\n")
    w("block, cache state between blocks) against its own forward. `platform host` = the same\n")
    w("request on the class's host of `platforms/devices.xml` (its cores as threads, pstate 0), next\n")
    w("to the FLOPs model's figure for that host.\n\n")
    w("| device_class | model | measured ms | simulated ms | error % | platform host cores | "
      "platform host ms | FLOPs model on host ms |\n")
    w("|---|---|---|---|---|---|---|---|\n")
    for r in rows:
        if r["model_ms"] is None or r["sim_ms"] is None:
            continue
        err = 100.0 * (r["sim_ms"] - r["model_ms"]) / r["model_ms"]
        host = (f"{r['host_cores']} | {r['host_ms']:.2f} | {r['host_flops_ms']:.2f}"
                if "host_ms" in r else "- | - | -")
        w(f"| {r['cls']} | {r['model']} | {r['model_ms']:.3f} | {r['sim_ms']:.3f} | {err:+.2f} | {host} |\n")
    w("\n")
    return out.getvalue()


def calibration_md(models, speeds, eff, calib, platdir, meas):
    out = io.StringIO()
    w = out.write
    w("# Calibration of device speeds, model efficiencies and power\n\n")
    w("Generated by `tools/gen_models.py` (rerun it after changing the reference data or the\n")
    w("device list; `--check` verifies that the files in the repository are up to date and\n")
    w("that every host in `platforms/*.xml` carries the calibrated speed). Reference data:\n")
    w("`../shared/reference/` from the repository's root (`layer_profiles.csv`,\n")
    w("`dnn_latency_ncnn.csv`, `devices.csv`, `networks.csv`, `REFERENCE.md`).\n\n")
    w("## Cost model\n\n")
    w("A host has `core=\"N\"` and a per-core `speed` per pstate (flops/s). A request's fragment\n")
    w("runs on all N cores (ncnn with N threads), and a layer with F flops (2 x MACs of its\n")
    w("Conv2d/Linear layers) takes\n\n")
    w("    t = F / (N * speed[pstate] * efficiency[model][device_class])\n\n")
    w("* **Nominal per-core speed** of a device class = median over the measured models of\n")
    w("  `total_flops / (latency * N)` at pstate 0, rounded to 4 significant digits; lower\n")
    w("  pstates scale it with the clock. The median keeps efficiencies around 1.\n")
    w("* **Efficiency** of a measured (model, device) pair = `total_flops / (latency * N * speed)`,\n")
    w("  so the simulated end-to-end latency equals the measured one (the error column below is\n")
    w("  only the rounding of the efficiency to 6 digits). It absorbs everything the flop count\n")
    w("  misses: memory-bound depthwise and FC layers (MobileNetV2, AlexNet: low efficiency),\n")
    w("  BN/ReLU/pooling costs, ncnn's different model definitions (e.g. Caffe AlexNet vs\n")
    w("  torchvision's), and the parallel efficiency of N threads.\n")
    w("* **Unmeasured pairs** (VGG-16 on the 3A+ and the OrangePi Zero, InceptionV3 on every ARM\n")
    w("  or Jetson class, everything on the Pi A+) use efficiency 1.0, i.e. the device median.\n")
    w("  InceptionV3 has no ncnn row; GoogLeNet is not used as a proxy because its MACs are not\n")
    w("  in `layer_profiles.csv`. The efficiency is per model, not per layer: within a model all\n")
    w("  layers run at the same rate, so a cut point splits the latency in proportion to flops.\n")
    w("* The efficiency does not depend on the pstate (latency scales with the clock).\n")
    w("* SimGrid 3.32 detail: `Exec::set_thread_count(N)` takes `flops_amount` as the work of\n")
    w("  *each* thread (checked: 1e9 flops with 4 threads on a 5.148 Gf/s-per-core host take\n")
    w("  0.194 s = 1e9 / speed). To get the time above, run an exec of `F / (N * efficiency)`\n")
    w("  flops per thread with `set_thread_count(N)`; all N cores are then busy and the host\n")
    w("  draws its AllCores power.\n")
    w("* **Measured layers** replace this formula: a layer with a measured latency for the host's\n")
    w("  device class takes that latency, scaled to the host's pstate and thread count (section\n")
    w("  \"Measured per-layer latency\" below); the efficiencies stay the fallback for every other\n")
    w("  layer and class.\n\n")
    w("## Device speeds\n\n")
    w("| device_class | cores | speed per pstate (per core) | calibration rows |\n|---|---|---|---|\n")
    for d in DEVICES:
        w(f"| {d['cls']} | {d['cores']} | `{','.join(gf(s) for s in speeds[d['cls']])}` | "
          f"{d['note']} |\n")
    w("\n## Efficiency table\n\n")
    w("| model | " + " | ".join(d["cls"] for d in DEVICES) + " |\n")
    w("|---" * (len(DEVICES) + 1) + "|\n")
    for m in models:
        w(f"| {m['name']} | " + " | ".join(f"{eff[m['name']][d['cls']]:.3f}" for d in DEVICES)
          + " |\n")
    w("\nThe `-3exit` variants carry the same efficiencies (exit heads run at the model's rate).\n")
    w("\n## Measured vs simulated latency (pstate 0)\n\n")
    w("| device_class | model | measured ms | simulated ms | error % | source |\n")
    w("|---|---|---|---|---|---|\n")
    for c in calib:
        if c["meas"]:
            mm = c["meas"]
            err = 100.0 * (c["sim_ms"] - mm["ms"]) / mm["ms"]
            err = 0.0 if abs(err) < 5e-5 else err
            src = f"{mm['backend']}, {mm['threads']} thr"
            w(f"| {c['cls']} | {c['model']} | {mm['ms']:.2f} | {c['sim_ms']:.2f} | {err:+.4f} | "
              f"{src} |\n")
    w("\nPredictions for unmeasured pairs (efficiency 1.0, device median):\n\n")
    w("| device_class | model | simulated ms |\n|---|---|---|\n")
    for c in calib:
        if not c["meas"]:
            w(f"| {c['cls']} | {c['model']} | {c['sim_ms']:.1f} |\n")
    w("\nThe rpi_a_plus figures are a GUESS (no ARMv6 DNN benchmark was found; speed derived\n")
    w("from the RPi3B+ per-core speed x 700/1400 MHz / 4 for the missing NEON and the in-order\n")
    w("ARM1176). The Jetson Nano rows are ncnn's Vulkan GPU results; the power mode of that run\n")
    w("is not stated (assumed MaxN = 10 W, pstate 0). Software matters: an older ncnn on the\n")
    w("RPi3B+ was 1.5-2x slower (REFERENCE.md sec. 3.2).\n")
    if any(meas[m["name"]] for m in models):
        classes = sorted({c for m in models for c in meas[m["name"]]})
        w("\nThese figures are the FLOPs model's. For the classes with per-layer measurements\n")
        w(f"({', '.join(classes)}) the shipped models carry measured latencies, which the engine\n")
        w("charges instead on those layers (next section).\n")
    w("\n")
    w(measured_md(models, speeds, eff, calib, meas))
    w("## Power\n\n")
    w("Host power uses SimGrid 3.32's host energy plugin: per pstate\n")
    w("`wattage_per_state = \"Idle:Epsilon:AllCores\"`, power = Epsilon + (AllCores - Epsilon) x\n")
    w("busy_cores / cores while something runs and Idle otherwise; `wattage_off` when the host\n")
    w("is off. Sources and choices (each figure is also cited next to it in the XML):\n\n")
    w("* **Idle / AllCores at pstate 0** from `devices.csv` `p_idle_w` / `p_load_w`:\n")
    w("  Pi 4B 2.7 / 6.4 W (pidramble, `stress --cpu 4`); Pi A+ 0.36 / 0.7 W (solo-system,\n")
    w("  raspi.tv proxy). GUESSES (no measurement found): Pi 3A+ 1.2 / 4.0 W (middle of\n")
    w("  1.1-1.3 / 3.5-4.5), OrangePi Zero 1.0 / 2.5 W (middle of 0.8-1.2 / 2-3), Jetson Nano\n")
    w("  idle 1.75 W (10 W mode) / 1.5 W (5 W mode) with the nvpmodel budget (10 W / 5 W) as\n")
    w("  the busy draw -- an upper bound, not a measurement --, x86 edge server 60 / 150 W.\n")
    w("* **Epsilon = Idle** on multi-core hosts (no one-core measurement: power assumed linear\n")
    w("  in the number of busy cores from idle; with a measured one-core power P1 use\n")
    w("  Epsilon = (4 P1 - AllCores) / 3). Inferences use all cores, so a busy host draws\n")
    w("  AllCores and Epsilon only matters for partial loads. Single-\"core\" hosts (Jetson GPU,\n")
    w("  Pi A+): Epsilon = AllCores.\n")
    w("* **Lower pstates**: Idle is kept (the boards idle at their lowest clock anyway); the\n")
    w("  dynamic part AllCores - Idle scales with (f / f_max)^2 (between fixed-voltage f and\n")
    w("  full-DVFS f^3; ASSUMPTION). OrangePi Zero: with f x V^2 from the mainline OPP voltages\n")
    w("  (1.04/1.10/1.20 V at 648/816/1008 MHz; 1.3 V assumed at 1200 MHz, the board's high\n")
    w("  regulator setting). Jetson 5 W mode: its own budget.\n")
    w("* **wattage_off**: Pi 4B 0.117 W (halt 0.023 A x 5.1 V, RPi docs); other boards 0.1 W\n")
    w("  (GUESS); x86 server 0 W.\n")
    w("* **Radios**: WiFi links carry `wifi_watt_values = \"Pidle:Ptx:Prx:Psleep\"` (SimGrid\n")
    w("  WiFi energy model, evaluated by edgesim: energy.md) with Pidle = 0: the associated-radio\n")
    w("  idle draw is part of the host figures (board measurements include it), and the model adds\n")
    w("  only the incremental transmit/receive power (GUESS 0.5 W tx / 0.3 W rx; no WiFi power-per-bit figure could\n")
    w("  be verified). The Pi A+ needs a USB WiFi dongle: its measured +0.65 W (chompr, Model A:\n")
    w("  120 -> 250 mA) is added to the A+ host's Idle and AllCores in the ChainNet testbed.\n")
    w("* **Wired links**: `wattage_range = \"idle:busy\"` (SimGrid link energy plugin) of\n")
    w("  0.4:0.7 W per Ethernet link (two PHYs; GUESS).\n")
    w("* **Battery**: `battery_wh` on battery-powered hosts (jetson-battery.xml: 3S1P pack of\n")
    w("  Panasonic NCR18650B, 3 x 12.1 Wh = 36.3 Wh; converter losses are not included).\n\n")
    rows = power_table(platdir)
    if rows:
        w("Library values (`platforms/devices.xml`):\n\n")
        w("| device_class | cores | speed | wattage_per_state | wattage_off |\n|---|---|---|---|---|\n")
        for cls, spd, ncore, wps, woff in rows:
            w(f"| {cls} | {ncore} | `{spd}` | `{wps}` | {woff} |\n")
    return out.getvalue()


def generate(args):
    layers = read_layers(args.layers)
    latency = read_latency(args.latency)
    models = []
    for spec in MODELS:
        m = dict(spec)
        m["input_bytes"], m["blocks"] = build_blocks(layers[m["csv"]])
        m["macs"] = sum(b["macs"] for b in m["blocks"])
        m["params"] = sum(b["params"] for b in m["blocks"])
        m["flops"] = 2 * m["macs"]
        names = [b["name"] for b in m["blocks"]]
        assert len(set(names)) == len(names), f"{m['name']}: duplicate block names"
        m["exit_list"] = []
        for after in m["exits"]:
            b = next(b for b in m["blocks"] if b["name"] == after)
            m["exit_list"].append(dict(after=after, frac=b["cum_frac"], shape=b["out_shape"],
                                       flops=exit_head_flops(b["out_shape"]),
                                       accuracy=exit_accuracy(m["top1"], b["cum_frac"])))
        accs = [e["accuracy"] for e in m["exit_list"]] + [m["top1"]]
        assert all(a < b for a, b in zip(accs, accs[1:])), f"{m['name']}: exits not monotone"
        fr = [e["frac"] for e in m["exit_list"]]
        assert fr == sorted(fr) and fr[-1] < 1.0
        models.append(m)
    meas = read_measurements(args.repo, models)
    speeds, eff, calib = calibrate(models, latency, meas)

    files = {}
    for m in models:
        files[os.path.join("scenarios", "models", m["name"] + ".toml")] = model_toml(m, False, eff, meas)
        files[os.path.join("scenarios", "models", m["name"] + "-3exit.toml")] = \
            model_toml(m, True, eff, meas)
    files[os.path.join("tests", "data", "ncnn_reference.csv")] = reference_csv(calib)
    platdir = os.path.join(args.repo, "platforms")
    files[os.path.join("docs", "calibration.md")] = calibration_md(models, speeds, eff, calib,
                                                                   platdir, meas)
    return models, speeds, eff, calib, files, meas


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--layers", default=os.path.join(REF, "layer_profiles.csv"))
    ap.add_argument("--latency", default=os.path.join(REF, "dnn_latency_ncnn.csv"))
    ap.add_argument("--repo", default=REPO, help="repository root to write into")
    ap.add_argument("--check", action="store_true",
                    help="compare with the files on disk instead of writing; exit 1 if stale")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args()

    models, speeds, eff, calib, files, meas = generate(args)
    stale = []
    for rel, text in files.items():
        path = os.path.join(args.repo, rel)
        old = open(path).read() if os.path.exists(path) else None
        if args.check:
            if old != text:
                stale.append(rel)
        elif old != text:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
            if not args.quiet:
                print(f"wrote {rel}")
    errors = check_platforms(os.path.join(args.repo, "platforms"), speeds)
    if not args.quiet:
        for d in DEVICES:
            print(f"{d['cls']:16s} core={d['cores']:<2d} speed="
                  + ",".join(gf(s) for s in speeds[d["cls"]]))
        effs = [v for m in eff.values() for v in m.values()]
        print(f"efficiency range {min(effs):.3f} .. {max(effs):.3f}")
    for e in errors:
        print("platform mismatch: " + e, file=sys.stderr)
    for s in stale:
        print("stale: " + s + " (rerun tools/gen_models.py)", file=sys.stderr)
    return 1 if (errors or stale) else 0


if __name__ == "__main__":
    sys.exit(main())
