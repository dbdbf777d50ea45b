#!/usr/bin/python3
"""Train SplitNet-style semantic splits of the digits CNN and write a model file with [semantic].

A semantic split (SplitNet, Kim et al., ICML 2017) cuts a network into k parallel
branches with disjoint features and disjoint class groups: each branch sees the whole
input, runs a narrow copy of every layer and scores only its own classes; a merge on one
host concatenates the branch scores and takes the arg-max. edgesim models such a split
with a model's [semantic] table (accuracy lost with k branches, the share of each
layer's flops and parameters one branch holds, the merge's cost). This script measures
those figures instead of assuming them.

Data and recipe are those of tools/train_multiexit_digits.py (scikit-learn's digits,
stratified 50/50 split, random_state 0; Adam lr 3e-3, batch 64, fixed seeds, one thread,
deterministic algorithms). For k = 1..4, the network of that script's backbone is split
into k branches: branch b has round(C / k) channels (units) where the backbone has C, and
a final layer over the classes c with c mod k = b. Each split network is trained from the
same seed for --epochs epochs and evaluated on the held-out half.

  accuracy_penalty[k] = held-out accuracy(k = 1) - accuracy(k), floored at 0 (edgesim
                        takes no negative penalty; a split that scored higher is noted);
  flops_fraction[k]   = flops of one branch / flops of the unsplit network (2 x MACs);
  param_fraction[k]   = parameters of one branch / parameters of the unsplit network;
  merge_flops         = 2 x 10 (scatter and arg-max of 10 scores);
  merge_bytes         = 40 (the largest branch output: 10 fp32 scores, k = 1).

The layer table (flops, bytes, measured latency on x86_epyc_2vcpu) is that of the same
backbone in scenarios/models/digits-cnn-3exit.toml, profiled by tools/profile_model.py;
[final] accuracy is the held-out accuracy of the unsplit network trained here (no exits).

Usage: /usr/bin/python3 tools/train_semantic_digits.py [--epochs 150] [--model FILE]
"""

from __future__ import annotations

import argparse
import os
import sys
import tomllib
from typing import List, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_multiexit_digits import (CLASSES, REPO, SEED, load_split, seed_everything,  # noqa: E402
                                    train, write_atomically)

# Channels (units) of the unsplit backbone: conv1, conv2, conv3, fc1.
WIDTHS = (32, 32, 64, 128)
MAX_BRANCHES = 4


class Branch(nn.Module):
    """One branch: the backbone with every width divided by k, scoring `classes` only."""

    def __init__(self, k: int, classes: Sequence[int]) -> None:
        super().__init__()
        c1, c2, c3, f1 = (max(1, round(w / k)) for w in WIDTHS)
        self.classes = list(classes)
        self.conv1 = nn.Conv2d(1, c1, 5, padding=2)
        self.conv2 = nn.Conv2d(c1, c2, 3, padding=1)
        self.conv3 = nn.Conv2d(c2, c3, 3, padding=1)
        self.fc1 = nn.Linear(c3 * 4, f1)
        self.fc2 = nn.Linear(f1, len(self.classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.conv1(x))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.max_pool2d(F.relu(self.conv3(x)), 2)
        return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))

    def flops(self) -> float:
        """2 x MACs of the convolutions and matrix products (8x8 input, as the profiler counts)."""
        convs = [(self.conv1, 8 * 8), (self.conv2, 8 * 8), (self.conv3, 4 * 4)]
        total = sum(2.0 * c.in_channels * c.out_channels * c.kernel_size[0] * c.kernel_size[1] * hw
                    for c, hw in convs)
        return total + sum(2.0 * f.in_features * f.out_features for f in (self.fc1, self.fc2))

    def parameters_count(self) -> int:
        return sum(p.numel() for p in self.parameters())


class SemanticSplit(nn.Module):
    """k branches over disjoint class groups (class c in branch c mod k); the merge places
    every branch's scores at its classes' positions."""

    def __init__(self, k: int) -> None:
        super().__init__()
        self.branches = nn.ModuleList([Branch(k, range(b, CLASSES, k)) for b in range(k)])

    def forward(self, x: torch.Tensor) -> List[torch.Tensor]:
        scores = torch.zeros(x.shape[0], CLASSES)
        for branch in self.branches:
            scores[:, branch.classes] = branch(x)
        return [scores]  # a list, as train() of the multi-exit script expects


@torch.no_grad()
def held_out_accuracy(net: SemanticSplit, x: torch.Tensor, y: torch.Tensor) -> float:
    net.eval()
    return float((net(x)[0].argmax(dim=1) == y).float().mean())


def layer_table(source: str) -> str:
    """The [measurement] and [[layers]] tables of the profiled backbone, as TOML text."""
    with open(source, "rb") as f:
        model = tomllib.load(f)
    lines = []
    for device_class, m in model.get("measurement", {}).items():
        lines += [f"[measurement.{device_class}]", f"pstate = {m['pstate']}", f"threads = {m['threads']}",
                  "scaling = [" + ", ".join(f"[{int(t)}, {s:.4f}]" for t, s in m["scaling"]) + "]",
                  f'model_latency = "{m["model_latency"]}"', f'source = "{m["source"]}"', ""]
    for layer in model["layers"]:
        latency = ", ".join(f'{c} = "{v}"' for c, v in layer.get("latency", {}).items())
        lines += ["[[layers]]", f'name = "{layer["name"]}"', f'type = "{layer["type"]}"',
                  f"flops = {layer['flops']!r}", f"out_bytes = {layer['out_bytes']}",
                  f"param_bytes = {layer['param_bytes']}"]
        if latency:
            lines.append(f"latency = {{ {latency} }}")
        lines.append("")
    return "\n".join(lines)


def model_text(accuracy: List[float], flops: List[float], params: List[int], epochs: int, source: str,
               held_out: int) -> str:
    penalty = [max(0.0, accuracy[0] - a) for a in accuracy]
    floored = [k + 1 for k, a in enumerate(accuracy) if a > accuracy[0]]
    rel = os.path.relpath(source, REPO)
    header = [
        "# A network with measured semantic splits: the digits CNN of tools/train_multiexit_digits.py",
        f"# split SplitNet-style into k = 1..{MAX_BRANCHES} branches (disjoint channels, class c in branch",
        f"# c mod k) and trained by tools/train_semantic_digits.py ({epochs} epochs, seed {SEED}) on",
        f"# scikit-learn's handwritten digits; accuracy is on the held-out half ({held_out} samples).",
        "# Held-out accuracy per k: " + ", ".join(f"{k + 1}: {a:.4f}" for k, a in enumerate(accuracy)),
        "# Flops of one branch per k: " + ", ".join(f"{k + 1}: {f:.0f}" for k, f in enumerate(flops)),
        "# Parameters of one branch per k: " + ", ".join(f"{k + 1}: {p}" for k, p in enumerate(params)),
        f"# Layers (flops, bytes, latency on x86_epyc_2vcpu): the same backbone in {rel}.",
        f"# torch {torch.__version__}.",
    ]
    if floored:
        header.append("# k = " + ", ".join(map(str, floored)) + " scored above k = 1: penalty floored at 0.")
    body = [
        "",
        'name = "digits-cnn-semantic"',
        "input_bytes = 256",
        "exits = []",
        "",
        layer_table(source),
        "[final]",
        f"accuracy = {accuracy[0]:.4f}",
        "",
        "[semantic]",
        "accuracy_penalty = [" + ", ".join(f"{p:.4f}" for p in penalty) + "]",
        "flops_fraction = [" + ", ".join(f"{f / flops[0]:.4f}" for f in flops) + "]",
        "param_fraction = [" + ", ".join(f"{p / params[0]:.4f}" for p in params) + "]",
        "# scatter and arg-max of 10 scores on the merge host",
        f"merge_flops = {2 * CLASSES}",
        "# the largest branch output: 10 fp32 scores",
        f"merge_bytes = {4 * CLASSES}",
    ]
    return "\n".join(header + body) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--epochs", type=int, default=150)
    ap.add_argument("--model", default=os.path.join(REPO, "scenarios", "models", "digits-cnn-semantic.toml"))
    ap.add_argument("--layers-from", default=os.path.join(REPO, "scenarios", "models", "digits-cnn-3exit.toml"))
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args(argv)
    log = (lambda _m: None) if args.quiet else (lambda m: print(m, file=sys.stderr, flush=True))

    accuracy, flops, params = [], [], []
    held_out = 0
    for k in range(1, MAX_BRANCHES + 1):
        seed_everything()  # every k from the same seed, data order and optimiser
        x_train, y_train, x_test, y_test, _ = load_split()
        net = SemanticSplit(k)
        train(net, x_train, y_train, args.epochs, lambda m, k=k: log(f"k = {k}: {m}"))
        accuracy.append(held_out_accuracy(net, x_test, y_test))
        held_out = len(y_test)
        flops.append(net.branches[0].flops())
        params.append(net.branches[0].parameters_count())
        log(f"k = {k}: held-out accuracy {accuracy[-1]:.4f}, one branch {flops[-1]:.0f} flops, "
            f"{params[-1]} parameters")
    write_atomically(args.model, model_text(accuracy, flops, params, args.epochs, os.path.abspath(args.layers_from),
                                            held_out))
    log(f"wrote {args.model}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
