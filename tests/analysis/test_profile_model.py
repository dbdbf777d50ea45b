"""tools/profile_model.py (per-layer latency profiler) and the measured-latency side of
tools/gen_models.py: blocks, FLOPs, types, the model files and CSVs they write, and
edgesim loading a profiled model."""

import csv
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

REPO = Path(__file__).resolve().parents[2]
TOOLS = REPO / "tools"
sys.path.insert(0, str(TOOLS))
import profile_model  # noqa: E402

PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
CLS = "edge_server_x86"

# conv 3->8 (+ReLU), depthwise 8->8 (+BN, +ReLU), conv 1x1 8->16 stride 2 (+ReLU, +flatten),
# linear 16*16*16 -> 10, on 1x3x32x32: four blocks.
TINY_FLOPS = [2 * 8 * 32 * 32 * 27, 2 * 8 * 32 * 32 * 9, 2 * 16 * 16 * 16 * 8, 2 * 4096 * 10]


def tiny_network():
    return torch.nn.Sequential(
        torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.ReLU(),
        torch.nn.Conv2d(8, 8, 3, padding=1, groups=8), torch.nn.BatchNorm2d(8), torch.nn.ReLU(),
        torch.nn.Conv2d(8, 16, 1, stride=2), torch.nn.ReLU(), torch.nn.Flatten(),
        torch.nn.Linear(16 * 16 * 16, 10)).eval()


class Residual(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Conv2d(8, 8, 3, padding=1)
        self.b = torch.nn.Conv2d(8, 8, 3, padding=1)

    def forward(self, x):
        return torch.relu(x + self.b(torch.relu(self.a(x))))


def residual_network():
    return torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1), Residual(),
                               torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(),
                               torch.nn.Linear(8, 4)).eval()


def save_torchscript(path, net):
    torch.jit.script(net).save(str(path))
    return path


def run_profiler(*args):
    assert profile_model.main([*map(str, args), "-q"]) == 0


def profile_tiny(tmp_path, *extra):
    ts = save_torchscript(tmp_path / "tiny.pt", tiny_network())
    run_profiler("--torchscript", ts, "--input-shape", "1,3,32,32", "--device-class", CLS,
                 "--threads", "1", "--warmup", "2", "--repeats", "15", *extra)


def ms(text):
    assert text.endswith("ms"), text
    return float(text[:-2])


def read_csv(path):
    lines = Path(path).read_text().splitlines()
    header = [l for l in lines if l.startswith("#")]
    rows = list(csv.DictReader(l for l in lines if not l.startswith("#")))
    meta = dict(l[1:].strip().split(": ", 1) for l in header if ": " in l)
    return meta, rows


def test_new_model_file_has_blocks_flops_types_and_latency(tmp_path):
    out, out_csv = tmp_path / "tiny.toml", tmp_path / "tiny.csv"
    profile_tiny(tmp_path, "--output", out, "--csv", out_csv, "--accuracy", "0.9", "--scaling")
    model = tomllib.loads(out.read_text())
    layers = model["layers"]
    # ReLU, BatchNorm and Flatten carry no MACs: merged into the block before them.
    assert [l["name"] for l in layers] == ["0", "2", "5", "8"]
    assert [l["type"] for l in layers] == ["conv", "depthwise", "conv", "fc"]
    assert [l["flops"] for l in layers] == TINY_FLOPS
    assert [l["out_bytes"] for l in layers] == [4 * 8 * 32 * 32, 4 * 8 * 32 * 32, 4 * 4096, 40]
    assert [l["param_bytes"] for l in layers] == [4 * (8 * 27 + 8), 4 * (8 * 9 + 8 + 16),
                                                  4 * (16 * 8 + 16), 4 * (40960 + 10)]
    assert model["input_bytes"] == 4 * 3 * 32 * 32
    assert model["final"]["accuracy"] == 0.9
    m = model["measurement"][CLS]
    assert m["threads"] == 1 and m["pstate"] == 0 and m["scaling"] == [[1, 1.0]]
    assert "profile_model" in m["source"]
    latencies = [ms(l["latency"][CLS]) for l in layers]
    assert all(t > 0 for t in latencies)
    whole = ms(m["model_latency"])
    # Timed block by block, the sum is the end-to-end time give or take the per-block
    # call overhead (a few microseconds per block on a model of ~0.1-1 ms).
    assert 0.5 * whole < sum(latencies) < 2.0 * whole

    meta, rows = read_csv(out_csv)
    assert list(rows[0]) == profile_model.CSV_COLUMNS
    assert [r["layer"] for r in rows] == ["0", "2", "5", "8", "__model__"]
    assert [int(r["flops"]) for r in rows[:4]] == TINY_FLOPS
    assert [float(r["latency_ms"]) for r in rows[:4]] == pytest.approx(latencies, rel=1e-4)
    assert float(rows[4]["latency_ms"]) == pytest.approx(whole, rel=1e-4)
    assert all(float(r["spread_ms"]) >= 0 for r in rows)
    for key in ("cpu", "threads", "pstate", "scaling", "torch", "date", "warmup", "repeats",
                "loadavg_start", "loadavg_end", "source"):
        assert key in meta, key
    assert meta["threads"] == "1" and meta["warmup"] == "2" and meta["repeats"] == "15"
    assert meta["scaling"] == "1:1.0000"


def test_update_keeps_other_keys_and_classes(tmp_path):
    existing = tmp_path / "m.toml"
    original = ('# my model\nname = "m"\ninput_bytes = 3072\n\n'
                '[measurement.rpi4b]\nthreads = 4\nsource = "someone else"\n\n'
                '[[layers]]\n# first\nname = "0"\nflops = 1.0\nout_bytes = 1\n'
                'latency = { rpi4b = "3ms" }\n\n'
                '[[layers]]\nname = "x"\ntype = "other"\nflops = 2.0\nout_bytes = 1\n\n'
                '[[layers]]\nname = "5"\ntype = "block"\nflops = 3.0\nout_bytes = 1\n\n'
                '[[exits]]\nafter = "2"\nflops = 5.0\naccuracy = 0.4\n\n'
                '[final]\naccuracy = 0.5\n\n[efficiency]\nrpi4b = 0.7\n')
    existing.write_text(original)
    profile_tiny(tmp_path, "--update", existing)
    text = existing.read_text()
    assert text.startswith("# my model\n") and "# first" in text
    model = tomllib.loads(text)
    first, other, third = model["layers"]
    assert first["latency"]["rpi4b"] == "3ms" and ms(first["latency"][CLS]) > 0
    assert first["type"] == "conv" and first["flops"] == 1.0  # measured type added, flops kept
    assert "latency" not in other and other["type"] == "other"  # no block of that name
    assert third["type"] == "block" and ms(third["latency"][CLS]) > 0  # existing type kept
    # The file's exit after block "2" got its head measured (default: the file's exits).
    assert ms(model["exits"][0]["latency"][CLS]) > 0 and model["exits"][0]["flops"] == 5.0
    assert model["measurement"]["rpi4b"] == {"threads": 4, "source": "someone else"}
    assert model["measurement"][CLS]["threads"] == 1
    assert model["final"]["accuracy"] == 0.5 and model["efficiency"] == {"rpi4b": 0.7}
    # Updating again replaces, not duplicates.
    profile_tiny(tmp_path, "--update", existing)
    again = existing.read_text()
    assert again.count(f"[measurement.{CLS}]") == 1 and again.count(f"{CLS} =") == 3
    assert tomllib.loads(again)["measurement"]["rpi4b"]["threads"] == 4


def test_torchvision_blocks_match_the_shipped_model_files():
    """Same blocks, flops, out_bytes and param_bytes as scenarios/models (layer_profiles.csv)."""
    for arch, shipped in (("resnet18", "resnet18"), ("mobilenet_v2", "mobilenetv2")):
        _, rows, x = profile_model.load_torchvision(arch, None)
        blocks, _ = profile_model.merge_rows(rows, x)
        model = tomllib.loads((REPO / "scenarios" / "models" / f"{shipped}.toml").read_text())
        got = [(b.name, float(2 * b.macs), b.out_bytes, 4 * b.params, b.type) for b in blocks]
        want = [(l["name"], l["flops"], l["out_bytes"], l["param_bytes"], l["type"])
                for l in model["layers"]]
        assert got == want, arch
        assert profile_model.tensor_bytes(x) == model["input_bytes"]


def test_traced_torchscript_counts_like_eager(tmp_path):
    net = tiny_network()
    traced = torch.jit.trace(net, torch.randn(1, 3, 32, 32))
    traced.save(str(tmp_path / "traced.pt"))
    _, rows, x = profile_model.load_torchscript(str(tmp_path / "traced.pt"), [1, 3, 32, 32])
    blocks, _ = profile_model.merge_rows(rows, x)
    assert [2 * b.macs for b in blocks] == TINY_FLOPS
    assert [b.type for b in blocks] == ["conv", "depthwise", "conv", "fc"]


def test_torchscript_that_is_not_a_chain_is_one_block(tmp_path):
    ts = save_torchscript(tmp_path / "res.pt", Residual())
    _, rows, x = profile_model.load_torchscript(str(ts), [1, 8, 8, 8])
    blocks, _ = profile_model.merge_rows(rows, x)
    assert [(b.name, b.type, 2 * b.macs) for b in blocks] == [("model", "block", 2 * 2 * 8 * 64 * 72)]


def export_onnx(net, path, shape):
    torch.onnx.export(net, torch.randn(*shape), str(path), opset_version=13)
    return path


def test_onnx_blocks_flops_and_output(tmp_path):
    onnx = pytest.importorskip("onnx")  # noqa: F841
    net = tiny_network()
    path = export_onnx(net, tmp_path / "tiny.onnx", (1, 3, 32, 32))
    whole, rows, x = profile_model.load_onnx(str(path), None)
    blocks, _ = profile_model.merge_rows(rows, x)
    # Export folds the BatchNorm into the depthwise conv; the blocks and flops are the same.
    assert [2 * b.macs for b in blocks] == TINY_FLOPS
    assert [b.type for b in blocks] == ["conv", "depthwise", "conv", "fc"]
    assert profile_model.same_output(whole(), net(x))
    # A residual block is one block: no cut where two tensors are live.
    net = residual_network()
    path = export_onnx(net, tmp_path / "res.onnx", (1, 3, 16, 16))
    whole, rows, x = profile_model.load_onnx(str(path), None)
    blocks, _ = profile_model.merge_rows(rows, x)
    assert [b.type for b in blocks] == ["conv", "block", "fc"]
    assert [2 * b.macs for b in blocks] == [2 * 8 * 256 * 27, 2 * 2 * 8 * 256 * 72, 2 * 8 * 4]
    assert profile_model.same_output(whole(), net(x))
    out = tmp_path / "res.toml"
    run_profiler("--onnx", path, "--device-class", CLS, "--threads", "1", "--warmup", "1",
                 "--repeats", "3", "--accuracy", "0.5", "--output", out)
    assert len(tomllib.loads(out.read_text())["layers"]) == 3


def test_onnx_unsupported_op_is_named(tmp_path):
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["r"], name="relu0"),
         helper.make_node("Erf", ["r"], ["y"], name="erf0")], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])])
    path = tmp_path / "erf.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))
    with pytest.raises(SystemExit) as error:
        profile_model.main(["--onnx", str(path), "--device-class", CLS, "--csv", str(tmp_path / "o.csv")])
    assert "unsupported ONNX op Erf" in str(error.value) and "erf0" in str(error.value)


def test_bad_arguments_are_errors(tmp_path):
    with pytest.raises(SystemExit):
        profile_model.main(["resnet999", "--device-class", "x", "--output", str(tmp_path / "o.toml")])
    with pytest.raises(SystemExit):
        profile_model.main(["alexnet", "--device-class", "x"])  # nothing to write
    with pytest.raises(SystemExit):
        profile_model.main(["alexnet", "--device-class", "x", "--csv", str(tmp_path / "o.csv"),
                            "--exits", "no.such.block"])


def test_edgesim_checks_and_runs_the_written_model(tmp_path):
    """The generated file loads in edgesim (needs the measured-latency loader), and one
    request alone takes the sum of the measured latencies scaled from 1 thread to the
    16-core edge_server_x86 host (no scaling curve: linear, so 1/16)."""
    binary = os.environ.get("EDGESIM_BINARY")
    if not binary:
        pytest.skip("EDGESIM_BINARY not set (ctest sets it)")
    out = tmp_path / "tiny.toml"
    profile_tiny(tmp_path, "--output", out, "--accuracy", "0.9")
    model = tomllib.loads(out.read_text())
    scenario = tmp_path / "s.toml"
    scenario.write_text(f'[simulation]\nrequests = 1\nduration = "1000s"\ntrace_requests = false\n'
                        f'[platform]\nfile = "{REPO}/platforms/devices.xml"\n'
                        f'[[tenants]]\nname = "t"\nmodel = "{out}"\nsource = "{CLS}"\n'
                        'arrival = { process = "periodic", rate = 0.01 }\n')
    check = subprocess.run([binary, "check", str(scenario)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    run = subprocess.run([binary, "run", str(scenario), "-q", "--json", "-o", str(tmp_path / "r.h5")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    simulated = json.loads(run.stdout)["all"]["latency_mean"]
    measured = sum(ms(l["latency"][CLS]) for l in model["layers"]) / 1e3
    assert simulated == pytest.approx(measured / 16, rel=1e-3)


# ---------------------------------------------------------------------------
# tools/gen_models.py: measurement CSVs into the shipped model files
# ---------------------------------------------------------------------------
def test_gen_models_is_up_to_date():
    check = subprocess.run([PYTHON, str(TOOLS / "gen_models.py"), "--check", "-q"],
                           capture_output=True, text=True, cwd=REPO)
    assert check.returncode == 0, check.stderr


def gen_models_repo(tmp_path, csv_text=None):
    """A scratch repository root with the platforms and the shipped measurements
    (plus one extra class's CSV), for gen_models.py --repo."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "platforms", root / "platforms")
    meas = REPO / "scenarios" / "models" / "measurements"
    if meas.is_dir():
        shutil.copytree(meas, root / "scenarios" / "models" / "measurements")
    if csv_text is not None:
        d = root / "scenarios" / "models" / "measurements" / "testboard"
        d.mkdir(parents=True, exist_ok=True)
        (d / "resnet18.csv").write_text(csv_text)
    return root


RESNET18_CSV = """# resnet18 on a test board (published table, transcribed)
# source: test figures, 4 threads
# threads: 4
# pstate: 1
# scaling: 1:1.0 2:1.8 4:3.0
layer,type,latency_ms,spread_ms,out_bytes,param_bytes,flops
conv1,conv,10.5,,802816,38144,236027904
layer1.0,block,20.25,0.5,,,
fc,,1.0,,,,
__model__,,40.0,,,,
__exit1__,fc,0.125,,,,
"""


def test_gen_models_reads_any_class(tmp_path):
    root = gen_models_repo(tmp_path, RESNET18_CSV)
    gen = subprocess.run([PYTHON, str(TOOLS / "gen_models.py"), "--repo", str(root), "-q"],
                         capture_output=True, text=True)
    assert gen.returncode == 0, gen.stderr
    for name in ("resnet18", "resnet18-3exit"):
        text = (root / "scenarios" / "models" / f"{name}.toml").read_text()
        assert "scenarios/models/measurements/testboard/resnet18.csv" in text  # cited
        model = tomllib.loads(text)
        m = model["measurement"]["testboard"]
        assert m == {"pstate": 1, "threads": 4, "scaling": [[1, 1.0], [2, 1.8], [4, 3.0]],
                     "model_latency": "40.0ms", "source": "test figures, 4 threads"}
        layers = {l["name"]: l for l in model["layers"]}
        assert all("type" in l for l in model["layers"])
        assert layers["conv1"]["latency"]["testboard"] == "10.5ms"
        assert layers["layer1.0"]["latency"]["testboard"] == "20.25ms"
        assert layers["fc"]["latency"]["testboard"] == "1.0ms"
        assert "testboard" not in layers["layer1.1"].get("latency", {})
        assert model["efficiency"]["rpi4b"] == 1.00007  # the FLOPs fallback is unchanged
    exits = tomllib.loads((root / "scenarios" / "models" / "resnet18-3exit.toml").read_text())["exits"]
    assert "testboard" not in exits[0].get("latency", {})
    assert exits[1]["latency"]["testboard"] == "0.125ms"
    doc = (root / "docs" / "calibration.md").read_text()
    assert "## Measured per-layer latency" in doc and "| testboard | resnet18 |" in doc
    # An unknown class has no FLOPs model to compare with; its fidelity row is the sum of
    # its three measured layers (no FLOPs model for the other seven either).
    assert "| testboard | resnet18 | 40.000 |" not in doc


@pytest.mark.parametrize("bad, message", [
    ("conv9,conv,1.0,,,,\n", "not a block of resnet18"),
    ("conv1,conv,1.0,,,,123\n", "not the same block definition"),
    ("conv1,fc,1.0,,,,\n", "type 'fc'"),
    ("conv1,conv,-1,,,,\n", "positive"),
    ("__exit7__,fc,1.0,,,,\n", "exits 0..2"),
])
def test_gen_models_rejects_bad_rows(tmp_path, bad, message):
    text = "# threads: 1\nlayer,type,latency_ms,spread_ms,out_bytes,param_bytes,flops\n" + bad
    root = gen_models_repo(tmp_path, text)
    gen = subprocess.run([PYTHON, str(TOOLS / "gen_models.py"), "--repo", str(root), "-q"],
                         capture_output=True, text=True)
    assert gen.returncode != 0 and message in gen.stderr, gen.stderr


def test_exit_head_comment_says_what_the_head_is():
    """A head on a feature map pools; a head on a flat output is a bare linear layer (the
    digits CNN's exit after conv3: 5120 flops = 2 x 256 x 10, no pooling)."""
    blocks = [profile_model.Block(name="conv", out_shape=(1, 32, 4, 4)),
              profile_model.Block(name="flat", out_shape=(1, 256))]
    pooled, flat = profile_model.exit_heads(["conv", "flat"], blocks, 10)
    assert pooled.describe() == "global average pool + linear head 32->10"
    assert flat.describe() == "linear head on the flat 256 output 256->10"
    assert flat.macs == 2560
