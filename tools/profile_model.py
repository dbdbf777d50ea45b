#!/usr/bin/python3
"""Measure a DNN's per-layer latency on this machine and write it into an edgesim model.

What a researcher runs on a Raspberry Pi, a Jetson or a server to calibrate edgesim with
measurements of their own device instead of the FLOPs cost model (docs/calibration.md,
"Measured per-layer latency"; the file format is the one of docs/formats.md "Model files").

Blocks. The network is cut into the same blocks as edgesim's shipped model files
(../shared/reference/dnnprof.py, tools/gen_models.py): the modules are listed in
execution order (torchvision names: features.0, layer1.0, Mixed_5b, ...) and a module
without MACs (ReLU, BatchNorm, pooling, flatten, dropout) is merged into the block
before it, so a block is "a MAC-bearing module and the cheap modules after it".
FLOPs = 2 x MACs of the convolutions and matrix products (Conv2d/Linear), counted as
dnnprof.py counts them; param_bytes = 4 x parameters; out_bytes = the block's fp32 output.

Timing. --warmup untimed passes, then --repeats timed passes; each pass runs the blocks
one after the other on the previous block's output, timing every block (and every exit
head of --exits, on its block's output), and also runs the model's own forward end to
end (the two alternate, so both see the same machine state). A block's latency is the
median over the passes, its spread the inter-quartile range (IQR = q75 - q25) of the
same samples; the whole-model latency is the median of the end-to-end runs. With
--scaling the whole model is also timed at 1..threads threads (the speed-up curve
edgesim uses for other thread counts: speedup(n) = t(1) / t(n)).

Sources of the network (exactly one):
  ARCH                  a torchvision architecture, built with weights=None (timing does
                        not depend on the weights): alexnet, vgg*, resnet*, resnext*,
                        wide_resnet*, mobilenet_v2, inception_v3 (cut as the shipped
                        files are); any other torchvision model whose top-level modules
                        (nn.Sequential expanded) run as a chain. 224x224, inception_v3
                        299x299 (--input-shape overrides), batch 1, fp32.
  --torchscript FILE    a TorchScript module with --input-shape; its top-level children
                        (nn.Sequential expanded, a flatten before a Linear on a 4-D input)
                        are the blocks when running them in order reproduces forward();
                        otherwise the whole module is timed as one block.
  --onnx FILE           an ONNX graph (Debian's python3-onnx), run node by node with torch
                        operators (ONNX_OPS below; anything else is an error naming the
                        op). Blocks are cut where exactly one tensor is live (so a residual
                        block stays whole), then zero-MAC pieces are merged as above.

Outputs (any of them):
  --output FILE.toml    a new model file: name, input_bytes, [measurement.<class>], layers
                        with type, flops, out_bytes, param_bytes, latency, [final] accuracy
  --update FILE.toml    add or replace latency.<class> on every [[layers]] whose name is a
                        measured block (and on every [[exits]] whose `after` has a measured
                        head), type where a layer has none, and the [measurement.<class>]
                        table; every other line is kept. Exit heads default to the file's
                        [[exits]] `after` names.
  --csv FILE.csv        the measurements in the format of scenarios/models/measurements/
                        (tools/gen_models.py reads those into the shipped model files)

Example (on a Pi 4B):
  /usr/bin/python3 tools/profile_model.py mobilenet_v2 --device-class rpi4b --scaling \\
      --update scenarios/models/mobilenetv2-3exit.toml --csv mobilenetv2.csv

Needs Debian's python3-torch and python3-torchvision (python3-onnx for --onnx).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import math
import os
import platform
import re
import statistics
import sys
import time
import tomllib
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils._python_dispatch import TorchDispatchMode

# Timing only, so the functions that run a network carry @torch.no_grad(); not a global
# torch.set_grad_enabled(False), which would leak into whoever imports this module.

# torchvision's published ImageNet top-1 of its weights (model documentation): the
# [final] accuracy of a new model file built from an architecture name.
TOP1 = {"alexnet": 0.5652, "vgg16": 0.7159, "resnet18": 0.6976, "resnet50": 0.7613,
        "mobilenet_v2": 0.7188, "inception_v3": 0.7729}
# Name of the shipped model file of an architecture (scenarios/models/<name>.toml).
SHIPPED_NAME = {"mobilenet_v2": "mobilenetv2", "inception_v3": "inceptionv3"}
LAYER_TYPES = ("conv", "depthwise", "fc", "pool", "norm", "act", "block", "other")
CSV_COLUMNS = ["layer", "type", "latency_ms", "spread_ms", "out_bytes", "param_bytes", "flops"]


def log(message: str) -> None:
    """Progress line on stderr (silenced by -q)."""
    if not QUIET[0]:
        print(f"[profile_model] {message}", file=sys.stderr, flush=True)


QUIET = [False]


def fail(message: str) -> None:
    raise SystemExit(f"profile_model: {message}")


# ---------------------------------------------------------------------------
# Counting MACs and classifying blocks, at the level of ATen operators: the same
# code sees eager modules, TorchScript (scripted or traced) and the ONNX interpreter.
# ---------------------------------------------------------------------------
POOL_OPS = {"max_pool1d", "max_pool2d", "max_pool2d_with_indices", "avg_pool1d", "avg_pool2d",
            "adaptive_avg_pool1d", "adaptive_avg_pool2d", "_adaptive_avg_pool2d", "adaptive_max_pool2d",
            "mean"}
NORM_OPS = {"native_batch_norm", "_native_batch_norm_legit", "_native_batch_norm_legit_no_training",
            "batch_norm", "native_layer_norm", "layer_norm", "group_norm", "native_group_norm"}
ACT_OPS = {"relu", "relu_", "hardtanh", "hardtanh_", "clamp", "clamp_", "sigmoid", "tanh", "silu", "silu_",
           "hardswish", "hardswish_", "hardsigmoid", "leaky_relu", "gelu", "elu", "_softmax", "softmax",
           "threshold"}


class OpCounter(TorchDispatchMode):
    """Records the MACs and the kinds of the ATen operators run under it.

    MACs as dnnprof.py counts them for Conv2d/Linear: a convolution's output elements x
    kernel height x width x input channels per group; a matrix product M x K x N.
    """

    def __init__(self):
        super().__init__()
        self.macs = 0
        self.kinds: List[str] = []  # conv | depthwise | fc | pool | norm | act, in order

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        name = func.overloadpacket.__name__ if hasattr(func, "overloadpacket") else str(func)
        if name in ("convolution", "_convolution"):
            x, w = args[0], args[1]
            transposed = bool(args[6]) if len(args) > 6 else False
            groups = int(args[8]) if len(args) > 8 else 1
            per_out = math.prod(w.shape[1:])  # in/groups x kernel (out/groups x kernel if transposed)
            self.macs += (x.numel() if transposed else out.numel()) * per_out
            depthwise = groups > 1 and groups == x.shape[1]
            self.kinds.append("depthwise" if depthwise else "conv")
        elif name in ("addmm", "mm", "bmm"):
            a, b = (args[1], args[2]) if name == "addmm" else (args[0], args[1])
            self.macs += a.numel() * b.shape[-1]
            self.kinds.append("fc")
        elif name in POOL_OPS:
            self.kinds.append("pool")
        elif name in NORM_OPS:
            self.kinds.append("norm")
        elif name in ACT_OPS:
            self.kinds.append("act")
        return out


def block_type(kinds: Sequence[str]) -> str:
    """edgesim layer type of a block from the operators it ran (what Neurosurgeon's
    per-type regression groups by): its one MAC operator's kind, `block` when it has
    several (a residual or inception block), else pool > norm > act > other."""
    macs = [k for k in kinds if k in ("conv", "depthwise", "fc")]
    if len(macs) > 1:
        return "block"
    if macs:
        return macs[0]
    for kind in ("pool", "norm", "act"):
        if kind in kinds:
            return kind
    return "other"


def tensor_bytes(y) -> int:
    if isinstance(y, torch.Tensor):
        return y.numel() * y.element_size()
    if isinstance(y, (tuple, list)):
        return sum(tensor_bytes(t) for t in y)
    return 0


def same_output(y, ref) -> bool:
    if not (isinstance(y, torch.Tensor) and isinstance(ref, torch.Tensor)) or y.shape != ref.shape:
        return False
    scale = float(ref.abs().max()) if ref.numel() else 0.0
    return float((y - ref).abs().max()) <= 1e-3 * scale + 1e-5 if ref.numel() else True


# ---------------------------------------------------------------------------
# Rows (modules in execution order) and blocks (rows merged)
# ---------------------------------------------------------------------------
@dataclass
class Row:
    name: str
    run: Callable          # tensor -> tensor
    params: int = 0        # parameter count (4 bytes each in fp32)


@dataclass
class Block:
    """Rows timed as one edgesim layer."""
    name: str
    rows: List[Row] = field(default_factory=list)
    kinds: List[str] = field(default_factory=list)
    type: str = "other"
    macs: int = 0
    params: int = 0
    out_bytes: int = 0
    out_shape: Tuple[int, ...] = ()
    samples: List[float] = field(default_factory=list)
    latency_s: float = 0.0
    spread_s: float = 0.0

    def run(self, x):
        for row in self.rows:
            x = row.run(x)
        return x


@dataclass
class ExitHead:
    """A measured early-exit classifier on a block's output: global average pool + linear on
    a feature map, a linear layer on a flat output."""
    index: int
    after: str
    head: nn.Module
    in_shape: Tuple[int, ...]
    macs: int = 0
    samples: List[float] = field(default_factory=list)

    def describe(self) -> str:
        """What the head is, as the model file's comment and the CSV header say it."""
        inputs = self.head[-1].in_features
        outputs = self.head[-1].out_features
        if len(self.in_shape) == 4:
            return f"global average pool + linear head {inputs}->{outputs}"
        return f"linear head on the flat {'x'.join(map(str, self.in_shape[1:]))} output {inputs}->{outputs}"
    latency_s: float = 0.0
    spread_s: float = 0.0


def n_params(module) -> int:
    return sum(p.numel() for p in module.parameters()) if hasattr(module, "parameters") else 0


@torch.no_grad()
def merge_rows(rows: Sequence[Row], x: torch.Tensor) -> Tuple[List[Block], torch.Tensor]:
    """Runs the rows once, counting each; merges zero-MAC rows into the preceding block
    (the shipped files' rule; a zero-MAC first row stays a block of its own)."""
    blocks: List[Block] = []
    for row in rows:
        counter = OpCounter()
        with counter:
            y = row.run(x)
        if counter.macs == 0 and blocks:
            block = blocks[-1]
        else:
            block = Block(name=row.name)
            blocks.append(block)
        block.rows.append(row)
        block.kinds += counter.kinds
        block.macs += counter.macs
        block.params += row.params
        block.out_bytes = tensor_bytes(y)
        block.out_shape = tuple(y.shape) if isinstance(y, torch.Tensor) else ()
        x = y
    for block in blocks:
        block.type = block_type(block.kinds)
    return blocks, x


class Flatten(nn.Module):
    def forward(self, x):
        return torch.flatten(x, 1)


def is_linear(module) -> bool:
    return isinstance(module, nn.Linear) or getattr(module, "original_name", None) == "Linear"


def is_sequential(module) -> bool:
    return isinstance(module, nn.Sequential) or getattr(module, "original_name", None) == "Sequential"


@torch.no_grad()
def chain_rows(model, x: torch.Tensor) -> Optional[List[Row]]:
    """Top-level children in order, nn.Sequential children expanded (features.0, ...),
    a flatten inserted before a Linear that would get a 4-D input. None unless running
    them in order reproduces model(x)."""
    def expand(prefix, module):
        for name, child in module.named_children():
            full = f"{prefix}{name}"
            if is_sequential(child) and len(list(child.children())) > 0:
                yield from expand(full + ".", child)
            else:
                yield full, child

    candidates = [(n, c) for n, c in expand("", model) if n != "AuxLogits"]
    if not candidates:
        return None
    rows: List[Row] = []
    y = x
    try:
        reference = model(x)
        for name, child in candidates:
            if is_linear(child) and y.dim() > 2:
                rows.append(Row("flatten", Flatten()))
                y = torch.flatten(y, 1)
            y = child(y)
            rows.append(Row(name, child, n_params(child)))
    except Exception:  # noqa: BLE001 - a child that cannot run alone: not a chain
        return None
    return rows if same_output(y, reference) else None


@torch.no_grad()
def torchvision_rows(arch: str, model: nn.Module) -> List[Row]:
    """Rows of the shipped model files (dnnprof.py's module lists) for the architectures
    they cover; the generic chain for any other torchvision model."""
    def mod(name, m):
        return Row(name, m, n_params(m))

    if arch == "alexnet" or arch.startswith("vgg"):
        rows = [mod(f"features.{i}", m) for i, m in enumerate(model.features)]
        rows += [mod("avgpool", model.avgpool), Row("flatten", Flatten())]
        return rows + [mod(f"classifier.{i}", m) for i, m in enumerate(model.classifier)]
    if arch.startswith(("resnet", "resnext", "wide_resnet")):
        rows = [mod(n, getattr(model, n)) for n in ("conv1", "bn1", "relu", "maxpool")]
        for layer in ("layer1", "layer2", "layer3", "layer4"):
            rows += [mod(f"{layer}.{i}", b) for i, b in enumerate(getattr(model, layer))]
        return rows + [mod("avgpool", model.avgpool), Row("flatten", Flatten()), mod("fc", model.fc)]
    if arch == "mobilenet_v2":
        rows = [mod(f"features.{i}", m) for i, m in enumerate(model.features)]
        rows += [Row("avgpool(adaptive)", nn.AdaptiveAvgPool2d(1)), Row("flatten", Flatten())]
        return rows + [mod(f"classifier.{i}", m) for i, m in enumerate(model.classifier)]
    if arch == "inception_v3":
        rows = []
        for name, child in model.named_children():
            if name == "AuxLogits":
                continue
            if name == "dropout":
                rows.append(Row("flatten", Flatten()))
            rows.append(mod(name, child))
        return rows
    return None


@torch.no_grad()
def load_torchvision(arch: str, shape: Optional[Sequence[int]]):
    import torchvision.models as tvm
    builder = getattr(tvm, arch, None)
    if arch.startswith("_") or not callable(builder) or isinstance(builder, type):
        known = ", ".join(sorted(TOP1))
        fail(f"unknown torchvision architecture '{arch}' (e.g. {known})")
    if arch == "inception_v3":
        model = builder(weights=None, aux_logits=False, init_weights=False)
    else:
        model = builder(weights=None)
    model.eval()
    side = 299 if arch == "inception_v3" else 224
    x = torch.randn(*(shape or (1, 3, side, side)))
    rows = torchvision_rows(arch, model)
    if rows is not None:
        y = x
        for row in rows:
            y = row.run(y)
        if not same_output(y, model(x)):
            fail(f"{arch}: the block list does not reproduce the model's forward()")
    else:
        rows = chain_rows(model, x)
        if rows is None:
            fail(f"{arch}: its top-level modules do not run as a chain (forward() does more than "
                 f"call them in order); export it to ONNX and use --onnx, or script a sequential "
                 f"wrapper and use --torchscript")
    return model, rows, x


@torch.no_grad()
def load_torchscript(path: str, shape: Sequence[int]):
    module = torch.jit.load(path, map_location="cpu").eval()
    x = torch.randn(*shape)
    rows = chain_rows(module, x)
    if rows is None:
        log("the TorchScript module's children do not run as a chain: timing it as one block")
        rows = [Row("model", module, n_params(module))]
    return module, rows, x


# ---------------------------------------------------------------------------
# ONNX: each node becomes a call of torch operators on a table of named tensors.
# ---------------------------------------------------------------------------
ONNX_OPS = ("Conv", "Gemm", "MatMul", "Relu", "LeakyRelu", "Clip", "Sigmoid", "Tanh", "HardSigmoid",
            "HardSwish", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool",
            "BatchNormalization", "LRN", "Add", "Sub", "Mul", "Div", "Flatten", "Reshape", "Transpose",
            "Squeeze", "Unsqueeze", "Concat", "Softmax", "Dropout", "Identity", "Pad", "Constant")


def _same_pads(x, kernel, strides, dilations, mode):
    """Explicit (begin..., end...) pads of auto_pad SAME_UPPER / SAME_LOWER."""
    begins, ends = [], []
    for size, k, s, d in zip(x.shape[2:], kernel, strides, dilations):
        out = -(-size // s)
        total = max(0, (out - 1) * s + (k - 1) * d + 1 - size)
        small, big = total // 2, total - total // 2
        begins.append(small if mode == "SAME_UPPER" else big)
        ends.append(big if mode == "SAME_UPPER" else small)
    return begins + ends


def _pad_input(x, pads, value=0.0):
    """Applies ONNX pads (begin..., end...) over the spatial axes; returns (x, symmetric pads)."""
    n = len(pads) // 2
    begins, ends = list(pads[:n]), list(pads[n:])
    if begins == ends:
        return x, begins
    torch_pads = []
    for b, e in reversed(list(zip(begins, ends))):
        torch_pads += [b, e]
    return F.pad(x, torch_pads, value=value), [0] * n


def onnx_node_fn(node, attrs, opset: int):
    """Torch implementation of one ONNX node: f(list of inputs, None where absent) -> outputs."""
    t = node.op_type
    a = attrs

    def spatial(x, key, default):
        return list(a.get(key, [default] * (x.dim() - 2)))

    if t == "Conv":
        def conv(i):
            x, w, b = i[0], i[1], i[2] if len(i) > 2 else None
            kernel = list(w.shape[2:])
            strides, dilations = spatial(x, "strides", 1), spatial(x, "dilations", 1)
            mode = a.get("auto_pad", b"NOTSET")
            mode = mode.decode() if isinstance(mode, bytes) else mode
            if mode in ("SAME_UPPER", "SAME_LOWER"):
                pads = _same_pads(x, kernel, strides, dilations, mode)
            else:
                pads = list(a.get("pads", [0] * (2 * len(kernel))))
            x, sym = _pad_input(x, pads)
            fn = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[len(kernel)]
            return [fn(x, w, b, stride=strides, padding=sym, dilation=dilations, groups=a.get("group", 1))]
        return conv
    if t == "Gemm":
        def gemm(i):
            x, w = i[0], i[1]
            x = x.t() if a.get("transA", 0) else x
            w = w.t() if a.get("transB", 0) else w
            y = (x @ w) * a.get("alpha", 1.0) if a.get("alpha", 1.0) != 1.0 else x @ w
            if len(i) > 2 and i[2] is not None:
                y = y + a.get("beta", 1.0) * i[2]
            return [y]
        return gemm
    if t in ("MaxPool", "AveragePool"):
        def pool(i):
            x = i[0]
            kernel = list(a["kernel_shape"])
            strides = spatial(x, "strides", 1)
            dilations = spatial(x, "dilations", 1)
            mode = a.get("auto_pad", b"NOTSET")
            mode = mode.decode() if isinstance(mode, bytes) else mode
            if mode in ("SAME_UPPER", "SAME_LOWER"):
                pads = _same_pads(x, kernel, strides, dilations, mode)
            else:
                pads = list(a.get("pads", [0] * (2 * len(kernel))))
            ceil = bool(a.get("ceil_mode", 0))
            if t == "MaxPool":
                x, sym = _pad_input(x, pads, value=-math.inf)
                fn = {1: F.max_pool1d, 2: F.max_pool2d}[len(kernel)]
                return [fn(x, kernel, strides, sym, dilations, ceil_mode=ceil)]
            include = bool(a.get("count_include_pad", 0))
            n = len(pads) // 2
            if pads[:n] != pads[n:] and not include:
                fail(f"AveragePool node '{node.name}': asymmetric pads without count_include_pad are not supported")
            x, sym = _pad_input(x, pads)
            fn = {1: F.avg_pool1d, 2: F.avg_pool2d}[len(kernel)]
            return [fn(x, kernel, strides, sym, ceil_mode=ceil, count_include_pad=include)]
        return pool
    if t == "BatchNormalization":
        return lambda i: [F.batch_norm(i[0], i[3], i[4], i[1], i[2], False, 0.0, a.get("epsilon", 1e-5))]
    if t == "LRN":
        return lambda i: [F.local_response_norm(i[0], a["size"], a.get("alpha", 1e-4), a.get("beta", 0.75),
                                                a.get("bias", 1.0))]
    if t == "Clip":
        def clip(i):
            lo = a.get("min") if opset < 11 else (i[1] if len(i) > 1 and i[1] is not None else None)
            hi = a.get("max") if opset < 11 else (i[2] if len(i) > 2 and i[2] is not None else None)
            lo = float(lo) if lo is not None else None
            hi = float(hi) if hi is not None else None
            return [torch.clamp(i[0], lo, hi)]
        return clip
    if t == "Flatten":
        def flatten(i):
            axis = a.get("axis", 1)
            axis = axis + i[0].dim() if axis < 0 else axis
            return [i[0].reshape(math.prod(i[0].shape[:axis]), -1)]
        return flatten
    if t == "Reshape":
        def reshape(i):
            shape = [int(v) for v in i[1].tolist()]
            if not a.get("allowzero", 0):
                shape = [i[0].shape[k] if v == 0 else v for k, v in enumerate(shape)]
            return [i[0].reshape(shape)]
        return reshape
    if t in ("Squeeze", "Unsqueeze"):
        def squeeze(i):
            axes = a.get("axes") if opset < 13 else (i[1].tolist() if len(i) > 1 and i[1] is not None else None)
            x = i[0]
            if t == "Squeeze":
                if axes is None:
                    return [x.squeeze()]
                for ax in sorted((ax + x.dim() if ax < 0 else ax for ax in axes), reverse=True):
                    x = x.squeeze(ax)
                return [x]
            rank = x.dim() + len(axes)
            for ax in sorted(ax + rank if ax < 0 else ax for ax in axes):
                x = x.unsqueeze(ax)
            return [x]
        return squeeze
    if t == "Softmax":
        def softmax(i):
            x, axis = i[0], a.get("axis", 1 if opset < 13 else -1)
            if opset < 13:  # coerced to 2-D at axis
                axis = axis + x.dim() if axis < 0 else axis
                return [F.softmax(x.reshape(math.prod(x.shape[:axis]), -1), -1).reshape(x.shape)]
            return [F.softmax(x, axis)]
        return softmax
    if t == "Pad":
        def pad(i):
            mode = a.get("mode", b"constant")
            mode = mode.decode() if isinstance(mode, bytes) else mode
            pads = list(a["pads"]) if opset < 11 else [int(v) for v in i[1].tolist()]
            value = a.get("value", 0.0) if opset < 11 else (float(i[2]) if len(i) > 2 and i[2] is not None else 0.0)
            n = len(pads) // 2
            torch_pads = []
            for b, e in reversed(list(zip(pads[:n], pads[n:]))):
                torch_pads += [b, e]
            return [F.pad(i[0], torch_pads, mode=mode, value=value) if mode == "constant"
                    else F.pad(i[0], torch_pads, mode=mode)]
        return pad
    simple = {
        "MatMul": lambda i: [torch.matmul(i[0], i[1])],
        "Relu": lambda i: [F.relu(i[0])],
        "LeakyRelu": lambda i: [F.leaky_relu(i[0], a.get("alpha", 0.01))],
        "Sigmoid": lambda i: [torch.sigmoid(i[0])],
        "Tanh": lambda i: [torch.tanh(i[0])],
        "HardSigmoid": lambda i: [torch.clamp(a.get("alpha", 0.2) * i[0] + a.get("beta", 0.5), 0.0, 1.0)],
        "HardSwish": lambda i: [F.hardswish(i[0])],
        "GlobalAveragePool": lambda i: [i[0].mean(dim=tuple(range(2, i[0].dim())), keepdim=True)],
        "GlobalMaxPool": lambda i: [i[0].amax(dim=tuple(range(2, i[0].dim())), keepdim=True)],
        "Add": lambda i: [i[0] + i[1]],
        "Sub": lambda i: [i[0] - i[1]],
        "Mul": lambda i: [i[0] * i[1]],
        "Div": lambda i: [i[0] / i[1]],
        "Transpose": lambda i: [i[0].permute(*(a.get("perm") or reversed(range(i[0].dim()))))],
        "Concat": lambda i: [torch.cat([v for v in i if v is not None], a.get("axis", 1))],
        "Dropout": lambda i: [i[0]],
        "Identity": lambda i: [i[0]],
    }
    return simple[t]


@torch.no_grad()
def load_onnx(path: str, shape: Optional[Sequence[int]]):
    """The ONNX graph as rows of torch calls, cut where exactly one tensor is live."""
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError:
        fail("--onnx needs Debian's python3-onnx")
    model = onnx.load(path)
    graph = model.graph
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 13)
    unsupported = [(n.op_type, n.name) for n in graph.node if n.op_type not in ONNX_OPS or n.domain not in ("", "ai.onnx")]
    if unsupported:
        ops = sorted({op for op, _ in unsupported})
        where = ", ".join(f"{op} (node '{name}')" for op, name in unsupported[:5])
        fail(f"{path}: unsupported ONNX op{'s' if len(ops) > 1 else ''} {', '.join(ops)}: {where}; "
             f"supported: {', '.join(ONNX_OPS)}")
    consts = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in graph.initializer}
    # Fold the nodes that only read constants (Constant, Identity of a weight, shape
    # arithmetic on constants): what is left is the data path from the input.
    nodes, fns = [], []
    for node in graph.node:
        attrs = {attr.name: onnx.helper.get_attribute_value(attr) for attr in node.attribute}
        if node.op_type == "Constant":
            if "value" not in attrs:
                fail(f"{path}: Constant node '{node.name}' without a tensor 'value' is not supported")
            consts[node.output[0]] = torch.from_numpy(numpy_helper.to_array(attrs["value"]).copy())
            continue
        fn = onnx_node_fn(node, attrs, opset)
        if all(not n or n in consts for n in node.input):
            for name, value in zip(node.output, fn([consts[n] if n else None for n in node.input])):
                consts[name] = value
            continue
        nodes.append(node)
        fns.append(fn)
    inputs = [i for i in graph.input if i.name not in consts]
    if len(inputs) != 1 or len(graph.output) != 1:
        fail(f"{path}: expected one graph input and one output, found {len(inputs)} and {len(graph.output)}")
    input_name, output_name = inputs[0].name, graph.output[0].name
    dims = shape or [d.dim_value or 1 for d in inputs[0].type.tensor_type.shape.dim]
    # Index of the last node reading each tensor; a cut after node i is valid when the
    # tensors produced so far and still needed are exactly one.
    last_use: Dict[str, int] = {}
    for i, node in enumerate(nodes):
        for name in node.input:
            if name and name not in consts:
                last_use[name] = i
    last_use[output_name] = len(nodes)
    live = {input_name} if last_use.get(input_name, -1) >= 0 else set()
    segments, start, seg_input = [], 0, input_name
    for i, node in enumerate(nodes):
        live |= {o for o in node.output if o and last_use.get(o, -1) > i}
        live = {name for name in live if last_use.get(name, -1) > i}
        if len(live) == 1:
            (seg_output,) = live
            segments.append((start, i, seg_input, seg_output))
            start, seg_input = i + 1, seg_output
    if not segments or segments[-1][3] != output_name or segments[-1][1] != len(nodes) - 1:
        fail(f"{path}: the graph does not end in its one output")

    def segment_row(first, last, seg_in, seg_out):
        steps = [(fns[k], list(nodes[k].input), list(nodes[k].output)) for k in range(first, last + 1)]

        def run(x):
            env = {seg_in: x}
            for fn, ins, outs in steps:
                values = fn([env.get(n, consts.get(n)) if n else None for n in ins])
                for name, v in zip(outs, values):
                    if name:
                        env[name] = v
            return env[seg_out]

        used = set()
        for k in range(first, last + 1):
            ins = list(nodes[k].input)
            if nodes[k].op_type == "BatchNormalization":
                ins = ins[:3]  # running mean/var are buffers, not parameters (as in torch)
            used |= {n for n in ins if n in consts and consts[n].is_floating_point()}
        params = sum(consts[n].numel() for n in used)
        node = nodes[first]
        return Row(node.name or f"{node.op_type}_{first}", run, params)

    rows = [segment_row(*s) for s in segments]
    x = torch.randn(*dims)

    def whole(z=None):
        z = x if z is None else z
        for row in rows:
            z = row.run(z)
        return z
    return whole, rows, x


# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------
def median_iqr(samples: Sequence[float]) -> Tuple[float, float]:
    if len(samples) < 2:
        return samples[0], 0.0
    q = statistics.quantiles(samples, n=4, method="inclusive")
    return statistics.median(samples), q[2] - q[0]


@torch.no_grad()
def measure(blocks: List[Block], heads: List[ExitHead], x, whole: Callable, warmup: int, repeats: int) -> Dict:
    """Alternating block-by-block and end-to-end passes; fills the blocks' and heads'
    samples and returns the end-to-end median and IQR."""
    after = {h.after: h for h in heads}
    model_samples: List[float] = []
    clock = time.perf_counter

    def blockwise(record: bool):
        z = x
        for block in blocks:
            t0 = clock()
            z = block.run(z)
            t1 = clock()
            if record:
                block.samples.append(t1 - t0)
            head = after.get(block.name)
            if head is not None:
                t0 = clock()
                head.head(z)
                t1 = clock()
                if record:
                    head.samples.append(t1 - t0)

    def end_to_end(record: bool):
        t0 = clock()
        whole()
        t1 = clock()
        if record:
            model_samples.append(t1 - t0)

    for _ in range(warmup):
        blockwise(False)
        end_to_end(False)
    step = max(1, repeats // 10)
    for r in range(repeats):
        if r % 2 == 0:
            blockwise(True)
            end_to_end(True)
        else:
            end_to_end(True)
            blockwise(True)
        if (r + 1) % step == 0 or r + 1 == repeats:
            log(f"  pass {r + 1}/{repeats}: last end-to-end {1e3 * model_samples[-1]:.3f} ms")
    for item in list(blocks) + list(heads):
        item.latency_s, item.spread_s = median_iqr(item.samples)
    median, iqr = median_iqr(model_samples)
    return dict(model_latency=median, model_spread=iqr)


@torch.no_grad()
def scaling_curve(whole: Callable, threads: int, warmup: int, repeats: int) -> List[Tuple[int, float]]:
    """[(n, t(1) / t(n))] for n = 1..threads, from end-to-end medians."""
    times = {}
    for n in range(1, threads + 1):
        torch.set_num_threads(n)
        for _ in range(warmup):
            whole()
        samples = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            whole()
            samples.append(time.perf_counter() - t0)
        times[n] = statistics.median(samples)
        log(f"  {n} thread(s): {1e3 * times[n]:.3f} ms end to end")
    torch.set_num_threads(threads)
    return [(n, 1.0 if n == 1 else times[1] / times[n]) for n in range(1, threads + 1)]


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------
def ms_value(seconds: float) -> str:
    """Milliseconds with 5 significant digits and no exponent (at least 3 decimals)."""
    v = 1e3 * seconds
    decimals = 3 if v <= 0 else min(9, max(3, 4 - int(math.floor(math.log10(v)))))
    return f"{v:.{decimals}f}"


def duration(seconds: float) -> str:
    return ms_value(seconds) + "ms"


def toml_str(s: str) -> str:
    """A TOML basic string."""
    out = s.replace("\\", "\\\\").replace('"', '\\"')
    out = "".join(c if 0x20 <= ord(c) != 0x7F else f"\\u{ord(c):04x}" for c in out)
    return f'"{out}"'


def toml_key(s: str) -> str:
    return s if re.fullmatch(r"[A-Za-z0-9_-]+", s) else toml_str(s)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith(("model name", "hardware", "cpu model")):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def loadavg() -> str:
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


@dataclass
class Run:
    """Everything one profiling session measured."""
    name: str
    device_class: str
    threads: int
    pstate: int
    warmup: int
    repeats: int
    input_bytes: int
    blocks: List[Block]
    heads: List[ExitHead]
    model_latency: float
    model_spread: float
    scaling: List[Tuple[int, float]]
    started: str
    load_start: str
    load_end: str
    command: str
    notes: List[str] = field(default_factory=list)

    @property
    def source(self) -> str:
        return (f"tools/profile_model.py: {cpu_model()} ({os.cpu_count()} logical CPUs), PyTorch "
                f"{torch.__version__} eager fp32 batch 1, {self.threads} thread(s), median of {self.repeats} "
                f"runs after {self.warmup} warm-up, {self.started[:10]}")


def measurement_lines(run: Run) -> List[str]:
    lines = [f"[measurement.{toml_key(run.device_class)}]", f"pstate = {run.pstate}", f"threads = {run.threads}"]
    if run.scaling:
        lines.append("scaling = [" + ", ".join(f"[{n}, {s:.4f}]" for n, s in run.scaling) + "]")
    lines.append(f'model_latency = "{duration(run.model_latency)}"')
    lines.append(f"source = {toml_str(run.source)}")
    return lines


def new_model_toml(run: Run, accuracy: float, exit_accuracy: Sequence[float]) -> str:
    cls = toml_key(run.device_class)
    out = [f"# edgesim DNN profile: {run.name}",
           f"# Written by: {run.command}",
           f"# {run.source}; load average {run.load_start} at the start, {run.load_end} at the end.",
           "# flops = 2 x MACs of convolutions and matrix products; param_bytes = 4 x parameters;",
           "# out_bytes = the block's fp32 output; zero-MAC modules are merged into the block before them.",
           f"# latency.{run.device_class} = median per-block time over the timed passes.",
           "", f"name = {toml_str(run.name)}", f"input_bytes = {run.input_bytes}", ""]
    out += measurement_lines(run)
    for b in run.blocks:
        out += ["", "[[layers]]", f"name = {toml_str(b.name)}", f'type = "{b.type}"',
                f"flops = {float(2 * b.macs)!r}", f"out_bytes = {b.out_bytes}", f"param_bytes = {4 * b.params}",
                f'latency = {{ {cls} = "{duration(b.latency_s)}" }}']
    for h, acc in zip(run.heads, exit_accuracy):
        out += ["", "[[exits]]", f"# {h.describe()}", f"after = {toml_str(h.after)}",
                f"flops = {float(2 * h.macs)!r}", f"accuracy = {acc}",
                f'latency = {{ {cls} = "{duration(h.latency_s)}" }}']
    out += ["", "[final]", f"accuracy = {accuracy}", ""]
    return "\n".join(out)


HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
KEYLINE = re.compile(r"^\s*([A-Za-z0-9_\-\"'.]+)\s*=")


def _sections(lines: Sequence[str]) -> List[Tuple[Optional[str], bool, int, int]]:
    """(header name or None for the root, is array-of-tables, first line, end line)."""
    out, start, name, array = [], 0, None, False
    for i, line in enumerate(lines):
        m = HEADER.match(line)
        if m and not line.lstrip().startswith("#"):
            out.append((name, array, start, i))
            name, array, start = m.group(1).replace(" ", ""), line.lstrip().startswith("[["), i
    out.append((name, array, start, len(lines)))
    return out


def _set_latency(body: List[str], cls: str, value: str, default_type: Optional[str]) -> List[str]:
    """Sets latency.<cls> in the key lines of one [[layers]]/[[exits]] table."""
    key = toml_key(cls)
    new = list(body)
    inline = [k for k, l in enumerate(new) if re.match(r"^\s*latency\s*=", l)]
    dotted = [k for k, l in enumerate(new) if re.match(r"^\s*latency\s*\.", l)]
    if inline:
        k = inline[0]
        try:
            table = tomllib.loads(new[k].strip())["latency"]
        except tomllib.TOMLDecodeError:
            fail(f"cannot update a multi-line 'latency' table ({new[k].strip()}); write it on one line")
        table[cls] = value
        items = ", ".join(f"{toml_key(c)} = {toml_str(v) if isinstance(v, str) else repr(v)}"
                          for c, v in table.items())
        new[k] = f"latency = {{ {items} }}"
    elif dotted:
        mine = [k for k in dotted if re.match(rf"^\s*latency\s*\.\s*{re.escape(key)}\s*=", new[k])]
        line = f'latency.{key} = "{value}"'
        if mine:
            new[mine[0]] = line
        else:
            new.insert(dotted[-1] + 1, line)
    else:
        keys = [k for k, l in enumerate(new) if KEYLINE.match(l)]
        new.insert(keys[-1] + 1 if keys else len(new), f'latency = {{ {key} = "{value}" }}')
    if default_type and not any(re.match(r"^\s*type\s*=", l) for l in new):
        names = [k for k, l in enumerate(new) if re.match(r"^\s*name\s*=", l)]
        new.insert(names[0] + 1 if names else 0, f'type = "{default_type}"')
    return new


def update_model_toml(text: str, run: Run) -> Tuple[str, List[str]]:
    """Adds/replaces latency.<class> on every [[layers]] named like a measured block and on
    every [[exits]] whose `after` has a measured head, `type` where a layer has none, and
    the [measurement.<class>] table. Returns (new text, measured names without a layer)."""
    before = tomllib.loads(text)
    cls = run.device_class
    by_name = {b.name: b for b in run.blocks}
    heads = {h.after: h for h in run.heads}
    lines = text.splitlines()
    sections = _sections(lines)
    out: List[str] = []
    matched, measurement_done = set(), False
    table_name = f"measurement.{toml_key(cls)}"
    if "measurement" in before and cls in before["measurement"] and \
            not any(s[0] in (table_name, f'measurement."{cls}"') for s in sections):
        fail(f"[measurement.{cls}] is not written as its own table in the file; edit it by hand")
    first_table = next((k for k, s in enumerate(sections) if s[0] is not None), None)
    for k, (name, array, start, end) in enumerate(sections):
        body = lines[start:end]
        if k == first_table and not measurement_done and \
                not any(s[0] in (table_name, f'measurement."{cls}"') for s in sections):
            # New table just before the first table header (and the comments right above it).
            cut = len(out)
            while cut > 0 and out[cut - 1].lstrip().startswith("#"):
                cut -= 1
            out[cut:cut] = measurement_lines(run) + [""]
            measurement_done = True
        if name in (table_name, f'measurement."{cls}"') and not array:
            trailing = [l for l in body[1:] if not KEYLINE.match(l) and not l.strip() == ""]
            out += measurement_lines(run) + trailing + [""]
            measurement_done = True
            continue
        if array and name in ("layers", "exits"):
            key = "name" if name == "layers" else "after"
            label = next((tomllib.loads(l.strip())[key] for l in body if re.match(rf"^\s*{key}\s*=", l)), None)
            item = by_name.get(label) if name == "layers" else heads.get(label)
            if item is not None:
                matched.add(label)
                # Key lines end at the last non-blank line; blank/comment lines after stay.
                last = max((i for i, l in enumerate(body) if KEYLINE.match(l)), default=len(body) - 1)
                body = _set_latency(body[:last + 1], cls, duration(item.latency_s),
                                    item.type if name == "layers" else None) + body[last + 1:]
        out += body
    if not measurement_done:
        out += [""] + measurement_lines(run)
    new_text = "\n".join(out).rstrip("\n") + "\n"
    # Verify: the file parses, carries exactly the new values, and nothing else changed.
    after = tomllib.loads(new_text)
    check = tomllib.loads(new_text)
    for table, key in (("layers", "name"), ("exits", "after")):
        for t_new in check.get(table, []):
            lat = t_new.get("latency", {})
            lat.pop(cls, None)
            if not lat:
                t_new.pop("latency", None)
    for t_old, t_new in zip(before.get("layers", []), check.get("layers", [])):
        if "type" not in t_old:
            t_new.pop("type", None)
    for t_old in before.get("layers", []) + before.get("exits", []):
        t_old.get("latency", {}).pop(cls, None)
        if "latency" in t_old and not t_old["latency"]:
            t_old.pop("latency")
    check.get("measurement", {}).pop(cls, None)
    before.get("measurement", {}).pop(cls, None)
    for d in (check, before):
        if "measurement" in d and not d["measurement"]:
            d.pop("measurement")
    if check != before:
        fail("internal error: updating the model file would change other keys; file left unchanged")
    for t in after.get("layers", []):
        b = by_name.get(t.get("name"))
        if b is not None and t["latency"][cls] != duration(b.latency_s):
            fail(f"internal error: layer {b.name} did not get its latency")
    unmatched = [b.name for b in run.blocks if b.name not in matched]
    unmatched += [f"exit after {h.after}" for h in run.heads if h.after not in matched]
    return new_text, unmatched


def write_csv(path: str, run: Run) -> None:
    with open(path + ".tmp", "w", newline="") as f:
        header = [
            f"{run.name}: per-block latency measured by tools/profile_model.py, device class {run.device_class}",
            f"cpu: {cpu_model()} ({os.cpu_count()} logical CPUs, {platform.machine()})",
            f"threads: {run.threads}",
            f"pstate: {run.pstate}",
        ]
        if run.scaling:
            header.append("scaling: " + " ".join(f"{n}:{s:.4f}" for n, s in run.scaling))
        header += [
            f"torch: {torch.__version__} (eager, fp32, batch 1); python {platform.python_version()}; "
            f"{platform.system()} {platform.release()}",
            f"date: {run.started}",
            f"warmup: {run.warmup}",
            f"repeats: {run.repeats}",
            "statistic: latency_ms = median over the timed passes; spread_ms = inter-quartile range (q75 - q25); "
            "each block timed inside a block-by-block pass on the previous block's output, __model__ = the "
            "model's own forward end to end, alternating with those passes",
            f"loadavg_start: {run.load_start}",
            f"loadavg_end: {run.load_end}",
        ]
        header += [f"exit{h.index}: after {h.after}, head {h.describe()}" for h in run.heads]
        header += [f"note: {n}" for n in run.notes]
        header += [f"command: {run.command}", f"source: {run.source}"]
        for line in header:
            f.write(f"# {line}\n")
        w = csv.writer(f, lineterminator="\n")
        w.writerow(CSV_COLUMNS)
        for b in run.blocks:
            w.writerow([b.name, b.type, ms_value(b.latency_s), ms_value(b.spread_s), b.out_bytes, 4 * b.params,
                        2 * b.macs])
        w.writerow(["__model__", "", ms_value(run.model_latency), ms_value(run.model_spread), "", "", ""])
        for h in run.heads:
            w.writerow([f"__exit{h.index}__", "fc", ms_value(h.latency_s), ms_value(h.spread_s), "",
                        4 * n_params(h.head), 2 * h.macs])
    os.replace(path + ".tmp", path)


def write_text(path: str, text: str) -> None:
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def print_table(run: Run, stream) -> None:
    total = sum(b.latency_s for b in run.blocks)
    w = stream.write
    w(f"{run.name} on {cpu_model()}, {run.threads} thread(s), device class {run.device_class}\n")
    w(f"{'layer':<24} {'type':<9} {'MFLOPs':>10} {'out KiB':>9} {'ms':>9} {'IQR ms':>8} {'share':>6}\n")
    for b in run.blocks:
        share = 100 * b.latency_s / total if total > 0 else 0.0
        w(f"{b.name:<24} {b.type:<9} {2 * b.macs / 1e6:>10.2f} {b.out_bytes / 1024:>9.1f} "
          f"{1e3 * b.latency_s:>9.3f} {1e3 * b.spread_s:>8.3f} {share:>5.1f}%\n")
    w(f"{'sum of layers':<24} {'':<9} {sum(2 * b.macs for b in run.blocks) / 1e6:>10.2f} {'':>9} "
      f"{1e3 * total:>9.3f}\n")
    w(f"{'whole model':<24} {'':<9} {'':>10} {'':>9} {1e3 * run.model_latency:>9.3f} "
      f"{1e3 * run.model_spread:>8.3f}\n")
    for h in run.heads:
        w(f"{'exit ' + str(h.index) + ' after ' + h.after:<24} {'fc':<9} {2 * h.macs / 1e6:>10.2f} {'':>9} "
          f"{1e3 * h.latency_s:>9.3f} {1e3 * h.spread_s:>8.3f}\n")
    for n, s in run.scaling:
        w(f"speed-up at {n} thread(s): {s:.3f}\n")


def wait_for_load(limit: float, timeout: float) -> None:
    """Sleeps until the 1-minute load average is below `limit` (at most `timeout` s)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            load = float(loadavg().split()[0])
        except ValueError:
            return
        if load < limit:
            return
        if time.monotonic() >= deadline:
            log(f"load average still {load:.2f} after {timeout:.0f} s: measuring anyway")
            return
        log(f"load average {load:.2f} >= {limit}: waiting")
        time.sleep(min(20.0, max(1.0, deadline - time.monotonic())))


def exit_heads(spec: Sequence[str], blocks: List[Block], classes: int) -> List[ExitHead]:
    names = [b.name for b in blocks]
    heads = []
    for index, after in enumerate(spec):
        if after not in names:
            fail(f"--exits: no block named '{after}' (blocks: {', '.join(names)})")
        shape = next(b.out_shape for b in blocks if b.name == after)
        channels = shape[1] if len(shape) > 1 else 1
        pool = [nn.AdaptiveAvgPool2d(1), Flatten()] if len(shape) == 4 else [Flatten()] if len(shape) > 2 else []
        head = nn.Sequential(*pool, nn.Linear(channels, classes)).eval()
        counter = OpCounter()
        with counter:
            head(torch.randn(*shape))
        heads.append(ExitHead(index=index, after=after, head=head, in_shape=tuple(shape), macs=counter.macs))
    return heads


@torch.no_grad()
def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("arch", nargs="?", help="torchvision architecture (e.g. " + ", ".join(sorted(TOP1)) + ")")
    ap.add_argument("--torchscript", metavar="FILE", help="a TorchScript module (torch.jit.save)")
    ap.add_argument("--onnx", metavar="FILE", help="an ONNX model")
    ap.add_argument("--input-shape", help="input shape, e.g. 1,3,224,224 (needed with --torchscript)")
    ap.add_argument("--device-class", required=True, help="edgesim device_class of this machine (e.g. rpi4b)")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                    help="torch threads (default: one per core, %(default)s here)")
    ap.add_argument("--pstate", type=int, default=0, help="pstate index this machine runs at (default 0)")
    ap.add_argument("--warmup", type=int, default=5, help="untimed passes first (default %(default)s)")
    ap.add_argument("--repeats", type=int, default=30, help="timed passes (default %(default)s)")
    ap.add_argument("--scaling", action="store_true",
                    help="also time the whole model at 1..threads threads (speed-up curve; slow)")
    ap.add_argument("--exits", help="comma-separated block names after which to time an exit head "
                    "(global average pool + linear); default with --update: the file's [[exits]]")
    ap.add_argument("--exit-classes", type=int, default=1000, help="exit heads' outputs (default %(default)s)")
    ap.add_argument("--exit-accuracy", help="comma-separated accuracies of the exits, for --output")
    ap.add_argument("--name", help="model name of a new file (default: from the architecture or file)")
    ap.add_argument("--accuracy", type=float, help="[final] accuracy of a new file (default: torchvision's top-1)")
    ap.add_argument("--output", metavar="FILE.toml", help="write a new model file")
    ap.add_argument("--update", metavar="FILE.toml", help="update an existing model file")
    ap.add_argument("--csv", metavar="FILE.csv", help="write the measurements as CSV")
    ap.add_argument("--wait-load", type=float, metavar="LOAD",
                    help="first wait until the 1-minute load average is below LOAD")
    ap.add_argument("--wait-timeout", type=float, default=900, help="longest wait for --wait-load, s")
    ap.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    args = ap.parse_args(argv)
    QUIET[0] = args.quiet
    sources = [s for s in (args.arch, args.torchscript, args.onnx) if s]
    if len(sources) != 1:
        ap.error("give exactly one of ARCH, --torchscript FILE, --onnx FILE")
    if args.threads < 1 or args.repeats < 1 or args.warmup < 0 or args.pstate < 0:
        ap.error("--threads and --repeats must be >= 1, --warmup and --pstate >= 0")
    if not (args.output or args.update or args.csv):
        ap.error("nothing to write: give --output, --update and/or --csv")
    if args.torchscript and not args.input_shape:
        ap.error("--torchscript needs --input-shape (e.g. 1,3,224,224)")
    shape = None
    if args.input_shape:
        try:
            shape = [int(v) for v in args.input_shape.split(",")]
        except ValueError:
            ap.error(f"--input-shape: comma-separated integers, not '{args.input_shape}'")
    update_text = None
    if args.update:
        with open(args.update) as f:
            update_text = f.read()
        try:
            existing = tomllib.loads(update_text)
        except tomllib.TOMLDecodeError as error:
            fail(f"{args.update}: {error}")
    torch.manual_seed(0)
    torch.set_num_threads(args.threads)

    if args.arch:
        model, rows, x = load_torchvision(args.arch, shape)
        whole = lambda: model(x)  # noqa: E731
        name = args.name or SHIPPED_NAME.get(args.arch, args.arch)
        accuracy = args.accuracy if args.accuracy is not None else TOP1.get(args.arch)
    elif args.torchscript:
        module, rows, x = load_torchscript(args.torchscript, shape)
        whole = lambda: module(x)  # noqa: E731
        name = args.name or os.path.splitext(os.path.basename(args.torchscript))[0]
        accuracy = args.accuracy
    else:
        whole, rows, x = load_onnx(args.onnx, shape)
        name = args.name or os.path.splitext(os.path.basename(args.onnx))[0]
        accuracy = args.accuracy
    if args.output and accuracy is None:
        ap.error("--accuracy is needed for a new model file of this network")
    blocks, _ = merge_rows(rows, x)
    if args.exits is not None:
        exit_spec = [s for s in args.exits.split(",") if s]
    elif update_text is not None:
        names = {b.name for b in blocks}
        exit_spec = [e["after"] for e in existing.get("exits", []) if isinstance(e.get("after"), str)
                     and e["after"] in names]
    else:
        exit_spec = []
    heads = exit_heads(exit_spec, blocks, args.exit_classes)
    exit_accuracy: List[float] = []
    if args.output and heads:
        if not args.exit_accuracy:
            ap.error("--exits with --output needs --exit-accuracy (one accuracy per exit)")
        exit_accuracy = [float(v) for v in args.exit_accuracy.split(",")]
        if len(exit_accuracy) != len(heads):
            ap.error("--exit-accuracy needs one value per exit")

    if args.wait_load is not None:
        wait_for_load(args.wait_load, args.wait_timeout)
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    load_start = loadavg()
    log(f"{name}: {len(blocks)} blocks, {len(heads)} exit head(s) on {cpu_model()}, {args.threads} thread(s), "
        f"{args.warmup} warm-up + {args.repeats} timed passes; load average {load_start}")
    result = measure(blocks, heads, x, whole, args.warmup, args.repeats)
    log(f"whole model {1e3 * result['model_latency']:.3f} ms, sum of blocks "
        f"{1e3 * sum(b.latency_s for b in blocks):.3f} ms")
    curve: List[Tuple[int, float]] = []
    if args.scaling:
        log(f"speed-up curve at 1..{args.threads} thread(s)")
        curve = scaling_curve(whole, args.threads, args.warmup, max(3, args.repeats // 2))
    notes = []
    fast = [(n, v) for n, v in curve if v > 1.05 * n]
    if fast:
        notes.append("super-linear speed-up (" + ", ".join(f"{v:.2f} at {n} threads" for n, v in fast)
                     + "): the runs with fewer threads used slower kernels, not worse parallelism; e.g. "
                     "PyTorch runs a 1x1 convolution through oneDNN only with more than one thread "
                     "(aten::_slow_conv2d_forward at 1 thread)")
        log("note: " + notes[-1])
    run = Run(name=name, device_class=args.device_class, threads=args.threads, pstate=args.pstate,
              warmup=args.warmup, repeats=args.repeats, input_bytes=tensor_bytes(x), blocks=blocks, heads=heads,
              model_latency=result["model_latency"], model_spread=result["model_spread"], scaling=curve,
              started=started, load_start=load_start, load_end=loadavg(),
              command=" ".join(["tools/profile_model.py"] + list(sys.argv[1:] if argv is None else argv)),
              notes=notes)

    if args.output:
        write_text(args.output, new_model_toml(run, accuracy, exit_accuracy))
        log(f"wrote {args.output}")
    if args.update:
        text, unmatched = update_model_toml(update_text, run)
        write_text(args.update, text)
        log(f"updated {args.update}" + (f"; nothing there for {', '.join(unmatched)}" if unmatched else ""))
    if args.csv:
        write_csv(args.csv, run)
        log(f"wrote {args.csv}")
    print_table(run, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
