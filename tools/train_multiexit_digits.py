#!/usr/bin/python3
"""Train a small multi-exit CNN on scikit-learn's handwritten digits and export a real exit trace.

The synthetic exit model of edgesim (a per-request difficulty shared by the exits,
docs/model.md "Exit behaviour") is an assumption; this script produces what it stands in
for: the per-sample confidence and correctness of a real multi-exit network on data it
was not trained on, in edgesim's exit-trace format (`sample,exit,confidence,correct`,
one row per held-out sample and exit, the final classifier being exit num_exits).

Data: sklearn.datasets.load_digits (1,797 8x8 grey-scale digits, ships with Debian's
python3-sklearn; no download), pixels scaled to [0, 1], a stratified 50/50 split
(random_state 0): the network trains on one half, the trace is the other half.

Network (the blocks edgesim sees; tools/profile_model.py cuts it the same way):
  conv1  Conv2d(1, 32, 5, padding 2) + ReLU                 -> 32x8x8   exit 0 after it
  conv2  Conv2d(32, 32, 3, padding 1) + ReLU + MaxPool(2)   -> 32x4x4   exit 1 after it
  conv3  Conv2d(32, 64, 3, padding 1) + ReLU + MaxPool(2)   -> 64x2x2   exit 2 after it
  fc1    Flatten + Linear(256, 128) + ReLU
  fc2    Linear(128, 10)                                              final classifier
Exit heads 0 and 1 are global average pooling + Linear(C, 10), exit head 2 is Linear(256, 10)
on the flattened 64x2x2 output of conv3 (the profiler sees conv3's block output flattened,
as fc1 needs it, and times a linear head on it): the heads tools/profile_model.py times. Training minimises the sum of the four cross-entropies (BranchyNet's joint
training with equal weights) with Adam (lr 3e-3, batch 64, --epochs epochs), one thread,
torch's deterministic algorithms and fixed seeds, so a rerun on the same software
reproduces the trace bit for bit (a few seconds on one CPU core). Confidence = the largest
softmax probability of an exit's output; correct = its arg-max is the label.

Outputs (defaults are the shipped files):
  --trace   scenarios/traces/digits-cnn-3exit.csv      the held-out exit trace
  --model   scenarios/models/digits-cnn-3exit.toml     written by tools/profile_model.py
            (per-layer latency on this machine for --device-class, flops, bytes, measured
            exit heads) plus [final]/[[exits]] accuracy from the trace and
            [confidence] trace = the trace file; --no-profile skips it.

Usage: /usr/bin/python3 tools/train_multiexit_digits.py [--device-class x86_epyc_2vcpu]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections import OrderedDict
from typing import List, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = 0
CLASSES = 10
EXIT_AFTER = ("conv1", "conv2", "conv3")


class Backbone(nn.Module):
    """The chain of blocks. Flat children (no nested Sequential) so that tools/profile_model.py
    cuts exactly the blocks above: each Conv2d/Linear with the zero-MAC modules after it."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 5, padding=2)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(32, 32, 3, padding=1)
        self.relu2 = nn.ReLU()
        self.pool2 = nn.MaxPool2d(2)
        self.conv3 = nn.Conv2d(32, 64, 3, padding=1)
        self.relu3 = nn.ReLU()
        self.pool3 = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(256, 128)
        self.relu4 = nn.ReLU()
        self.fc2 = nn.Linear(128, CLASSES)

    def blocks(self, x: torch.Tensor) -> List[torch.Tensor]:
        """The output of every block, in order."""
        b1 = self.relu1(self.conv1(x))
        b2 = self.pool2(self.relu2(self.conv2(b1)))
        b3 = self.pool3(self.relu3(self.conv3(b2)))
        b4 = self.relu4(self.fc1(torch.flatten(b3, 1)))
        return [b1, b2, b3, b4, self.fc2(b4)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.blocks(x)[-1]


class MultiExitNet(nn.Module):
    """The backbone plus a linear exit head after each EXIT_AFTER block."""

    def __init__(self) -> None:
        super().__init__()
        self.backbone = Backbone()
        self.heads = nn.ModuleList([nn.Linear(c, CLASSES) for c in (32, 32, 256)])

    def forward(self, x: torch.Tensor) -> List[torch.Tensor]:
        b1, b2, b3, _, final = self.backbone.blocks(x)
        return [self.heads[0](b1.mean(dim=(2, 3))), self.heads[1](b2.mean(dim=(2, 3))),
                self.heads[2](torch.flatten(b3, 1)), final]


def seed_everything() -> None:
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)


def load_split() -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, np.ndarray]:
    digits = load_digits()
    x = digits.images.astype(np.float32) / 16.0
    y = digits.target.astype(np.int64)
    idx = np.arange(len(y))
    tr, te = train_test_split(idx, test_size=0.5, random_state=SEED, stratify=y)
    t = lambda a: torch.from_numpy(np.ascontiguousarray(a))  # noqa: E731
    return t(x[tr][:, None]), t(y[tr]), t(x[te][:, None]), t(y[te]), te


def train(net: MultiExitNet, x: torch.Tensor, y: torch.Tensor, epochs: int, log) -> None:
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    gen = torch.Generator().manual_seed(SEED)
    for epoch in range(epochs):
        net.train()
        order = torch.randperm(len(y), generator=gen)
        total = 0.0
        for start in range(0, len(y), 64):
            batch = order[start:start + 64]
            losses = [F.cross_entropy(out, y[batch]) for out in net(x[batch])]
            loss = sum(losses)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss) * len(batch)
        if (epoch + 1) % 10 == 0 or epoch == 0:
            log(f"epoch {epoch + 1:3d}/{epochs}: training loss (sum of exits) {total / len(y):.4f}")


@torch.no_grad()
def exit_outcomes(net: MultiExitNet, x: torch.Tensor, y: torch.Tensor) -> Tuple[np.ndarray, np.ndarray]:
    """confidence[sample, exit], correct[sample, exit] on the held-out half."""
    net.eval()
    probs = [F.softmax(out, dim=1) for out in net(x)]
    conf = torch.stack([p.max(dim=1).values for p in probs], dim=1).numpy().astype(np.float64)
    correct = torch.stack([(p.argmax(dim=1) == y) for p in probs], dim=1).numpy()
    return conf, correct


def trace_text(conf: np.ndarray, correct: np.ndarray, held_out: np.ndarray, epochs: int) -> str:
    acc = correct.mean(axis=0)
    lines = [
        "# Exit trace of a real multi-exit CNN: tools/train_multiexit_digits.py (seed 0, "
        f"{epochs} epochs), scikit-learn's handwritten digits",
        f"# (load_digits, 1,797 8x8 images), held-out half: {len(held_out)} samples, stratified "
        "split random_state 0. Exits 0-2 after conv1/conv2/conv3",
        "# (linear heads), exit 3 = final classifier. confidence = max softmax "
        "probability (9 significant digits), correct = arg-max == label.",
        "# Held-out accuracy per exit: " + ", ".join(f"{i}: {a:.4f}" for i, a in enumerate(acc)),
        f"# torch {torch.__version__}; sample = row index of the held-out half (load_digits "
        "index in the comment line below, in order)",
        "# load_digits index of sample 0..: " + " ".join(str(int(i)) for i in held_out[:20]) + " ...",
        "sample,exit,confidence,correct",
    ]
    for s in range(conf.shape[0]):
        for e in range(conf.shape[1]):
            lines.append(f"{s},{e},{conf[s, e]:.9g},{int(correct[s, e])}")
    return "\n".join(lines) + "\n"


def write_atomically(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def profile_into_model(net: MultiExitNet, model_path: str, trace_path: str, acc: Sequence[float],
                       args, log) -> None:
    """Time the trained backbone block by block with tools/profile_model.py (TorchScript input)
    and add the trace to the model file it writes."""
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "digits.pt")
        torch.jit.script(net.backbone.eval()).save(script)
        tmp_model = os.path.join(tmp, "model.toml")
        cmd = [sys.executable, os.path.join(REPO, "tools", "profile_model.py"), "--torchscript", script,
               "--input-shape", "1,1,8,8", "--device-class", args.device_class,
               "--threads", str(args.threads), "--warmup", str(args.warmup), "--repeats", str(args.repeats),
               "--exits", ",".join(EXIT_AFTER), "--exit-classes", str(CLASSES),
               "--exit-accuracy", ",".join(f"{a:.4f}" for a in acc[:-1]),
               "--accuracy", f"{acc[-1]:.4f}", "--name", "digits-cnn-3exit", "--output", tmp_model]
        if args.scaling:
            cmd.append("--scaling")
        if args.quiet:
            cmd.append("-q")
        log("profiling: " + " ".join(cmd[1:]))
        subprocess.run(cmd, check=True)
        with open(tmp_model) as f:
            # the command line names temporary files: say what they were
            text = f.read().replace(script, "<the trained backbone as TorchScript>").replace(
                tmp_model, os.path.relpath(os.path.abspath(model_path), REPO))
    rel_trace = os.path.relpath(os.path.abspath(trace_path), os.path.dirname(os.path.abspath(model_path)))
    header = ("# A real multi-exit network: trained by tools/train_multiexit_digits.py on scikit-learn's\n"
              "# handwritten digits (8x8, 10 classes). Exit accuracies and [confidence] come from its\n"
              "# held-out exit trace; latencies were measured by tools/profile_model.py (command below).\n")
    text = header + text.rstrip("\n") + (
        "\n\n[confidence]\n"
        "# replay the held-out trace: each request is one held-out sample drawn at random\n"
        f'trace = "{rel_trace}"\n')
    write_atomically(model_path, text)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--epochs", type=int, default=150)
    ap.add_argument("--trace", default=os.path.join(REPO, "scenarios", "traces", "digits-cnn-3exit.csv"))
    ap.add_argument("--model", default=os.path.join(REPO, "scenarios", "models", "digits-cnn-3exit.toml"))
    ap.add_argument("--no-profile", action="store_true", help="write the trace only")
    ap.add_argument("--device-class", default="x86_epyc_2vcpu")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=200)
    ap.add_argument("--scaling", action="store_true", help="also measure the speed-up curve")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args(argv)
    log = (lambda _m: None) if args.quiet else (lambda m: print(m, file=sys.stderr, flush=True))

    seed_everything()
    x_train, y_train, x_test, y_test, held_out = load_split()
    log(f"digits: {len(y_train)} training, {len(y_test)} held-out samples")
    net = MultiExitNet()
    train(net, x_train, y_train, args.epochs, log)
    conf, correct = exit_outcomes(net, x_test, y_test)
    acc = correct.mean(axis=0)
    for i, a in enumerate(acc):
        log(f"exit {i}{' (final)' if i == len(acc) - 1 else ''}: held-out accuracy {a:.4f}, "
            f"mean confidence {conf[:, i].mean():.4f}")
    write_atomically(args.trace, trace_text(conf, correct, held_out, args.epochs))
    log(f"wrote {args.trace}")
    if not args.no_profile:
        torch.use_deterministic_algorithms(False)
        profile_into_model(net, args.model, args.trace, [float(a) for a in acc], args, log)
        log(f"wrote {args.model}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
