#!/usr/bin/env python3
"""Golden outputs: every shipped scenario, a sweep, every dataset spec and the queueing
validations are run on a small budget and their outputs reduced to per-object digests
(HDF5 datasets and attributes, JSON on stdout). The digests are compared with the
checked-in tests/golden/outputs.txt, so a refactor that changes any output bit fails
with the names of the objects that differ.

    golden_outputs.py --binary build/edgesim            # check (what ctest runs)
    golden_outputs.py --binary build/edgesim --update   # rewrite outputs.txt

Fields that measure the machine rather than the simulation (wall-clock seconds, start
time, the git revision) are left out of the digests.
"""

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import h5py
import numpy as np

REPO = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "outputs.txt"

# Attribute, field and key names whose values depend on the machine, the moment or where
# the checkout lies (the absolute path of the input file).
VOLATILE = {"started_at", "created_at", "wall_seconds", "git_describe", "command_line",
            "spec_file", "scenario_file"}

# Simulated seconds a scenario runs for here at most (as tests/integration/test_scenarios).
MAX_DURATION = 200.0


def digest_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def canonical_value(value):
    """Bytes that identify an attribute or field value exactly."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    array = np.asarray(value)
    if array.dtype.kind == "O":
        return b"\x1f".join(canonical_value(v) for v in array.ravel())
    return array.dtype.str.encode() + repr(array.shape).encode() + array.tobytes()


def digest_array(data: np.ndarray) -> str:
    if data.dtype.names:
        kept = [n for n in data.dtype.names if n not in VOLATILE]
        parts = [n.encode() + b"=" + canonical_value(np.ascontiguousarray(data[n])) for n in kept]
        return digest_bytes(b"\x1e".join(parts))
    return digest_bytes(canonical_value(data))


def digest_h5(path: Path) -> list[str]:
    lines = []
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            for key in sorted(obj.attrs):
                if key not in VOLATILE:
                    lines.append(f"{name}@{key} {digest_bytes(canonical_value(obj.attrs[key]))}")
            if isinstance(obj, h5py.Dataset) and name.rsplit("/", 1)[-1] not in VOLATILE:
                data = obj[()]
                lines.append(f"{name} {obj.dtype.str if not obj.dtype.names else 'compound'}"
                             f"{list(obj.shape)} {digest_array(np.asarray(data))}")
        for key in sorted(f.attrs):
            if key not in VOLATILE:
                lines.append(f"/@{key} {digest_bytes(canonical_value(f.attrs[key]))}")
        f.visititems(visit)
    return lines


def strip_volatile(value):
    if isinstance(value, dict):
        return {k: strip_volatile(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [strip_volatile(v) for v in value]
    return value


def digest_json(text: str) -> str:
    return digest_bytes(json.dumps(strip_volatile(json.loads(text)), sort_keys=True).encode())


def digest_files(directory: Path) -> list[str]:
    lines = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        lines.append(f"{path.relative_to(directory)} {digest_bytes(path.read_bytes())}")
    return lines


class Runner:
    def __init__(self, binary: str, work: Path):
        self.binary = binary
        self.work = work

    def __call__(self, *args: str) -> str:
        result = subprocess.run([self.binary, *args], cwd=self.work, capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit(f"edgesim {' '.join(args)} exited {result.returncode}:\n{result.stderr}")
        return result.stdout


def seconds(value) -> float:
    """A scenario duration ("200s", "5min", "150ms", or a number of seconds)."""
    if isinstance(value, (int, float)):
        return float(value)
    for unit, scale in (("ms", 1e-3), ("min", 60.0), ("h", 3600.0), ("s", 1.0)):
        if value.endswith(unit):
            return float(value[: -len(unit)]) * scale
    return float(value)


def short_run_overrides(scenario: Path) -> list[str]:
    """At most MAX_DURATION simulated seconds (a shorter warm-up if needed); every request traced."""
    with open(scenario, "rb") as f:
        spec = tomllib.load(f)
    simulation = spec.get("simulation", {})
    sets = ["--set", "simulation.trace_requests=true"]
    if "duration" in simulation and seconds(simulation["duration"]) > MAX_DURATION:
        sets += ["--set", f'simulation.duration="{MAX_DURATION}s"']
        if seconds(simulation.get("warmup", 0)) >= MAX_DURATION:
            sets += ["--set", f'simulation.warmup="{MAX_DURATION / 10}s"']
    return sets


def cases(run: Runner):
    """(name, digest lines) of every golden output."""
    work = run.work
    for scenario in sorted((REPO / "scenarios").glob("*.toml")):
        if scenario.name.startswith("bench-"):
            continue
        out = work / f"{scenario.stem}.h5"
        stdout = run("run", str(scenario), "-o", str(out), "-q", "--json", *short_run_overrides(scenario))
        yield f"run {scenario.stem}", [f"stdout {digest_json(stdout)}"] + digest_h5(out)

    # The same run with a much longer output path and stdout a file, not a pipe: what a run
    # computes must not depend on where its output goes (SimGrid's WiFi energy plugin did).
    scenario = REPO / "scenarios" / "joint-placement.toml"
    deep = work / ("x" * 120) / ("y" * 80)
    deep.mkdir(parents=True)
    out = deep / "joint-placement.h5"
    with open(work / "stdout.json", "w") as stdout:
        subprocess.run([run.binary, "run", str(scenario), "-o", str(out), "-q", "--json",
                        *short_run_overrides(scenario)], cwd=deep, stdout=stdout, check=True)
    yield "run joint-placement (other output path, stdout a file)", \
        [f"stdout {digest_json((work / 'stdout.json').read_text())}"] + digest_h5(out)

    quickstart = str(REPO / "scenarios" / "quickstart.toml")
    sweep_args = ["sweep", quickstart, "--vary", "tenants.0.arrival.rate=4,16", "--vary",
                  "hosts.default.buffer=2,10", "--reps", "2", "--jobs", "2", "-q",
                  "--set", 'simulation.duration="40s"']
    for spawn in ("fork", "exec"):
        out = work / f"sweep-{spawn}.h5"
        run(*sweep_args, "--spawn", spawn, "-o", str(out))
        yield f"sweep quickstart ({spawn})", digest_h5(out)

    for spec in sorted((REPO / "scenarios" / "datasets").glob("*.toml")):
        out = work / f"dataset-{spec.stem}.h5"
        run("dataset", str(spec), "--samples", "3", "--jobs", "2", "-q", "--format", "chainnet",
            "-o", str(out))
        lines = digest_h5(out)
        chainnet = work / f"dataset-{spec.stem}_chainnet"
        if chainnet.is_dir():
            lines += [f"chainnet/{line}" for line in digest_files(chainnet)]
        yield f"dataset {spec.stem}", lines

    out = work / "validate.h5"
    stdout = run("validate", "--rho", "0.7,1.2", "--K", "2,5", "--reps", "2", "--requests", "2000",
                 "--jobs", "2", "-q", "-o", str(out))
    yield "validate mg1k", digest_h5(out)
    out = work / "validate-network.h5"
    run("validate", "--network", "--reps", "2", "--jobs", "2", "-q", "-o", str(out))
    yield "validate network", digest_h5(out)


def render(results) -> str:
    text = []
    for name, lines in results:
        text.append(f"[{name}]")
        text.extend(lines)
        text.append("")
    return "\n".join(text)


def parse(text: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            sections[current] = []
        elif line and current is not None:
            sections[current].append(line)
    return sections


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True, help="the edgesim executable")
    parser.add_argument("--update", action="store_true", help="rewrite the golden file")
    parser.add_argument("--golden", type=Path, default=GOLDEN)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="edgesim-golden-") as tmp:
        results = list(cases(Runner(str(Path(args.binary).resolve()), Path(tmp))))
    if args.update:
        args.golden.write_text(render(results))
        print(f"wrote {args.golden}: {len(results)} outputs")
        return 0
    expected = parse(args.golden.read_text())
    actual = dict(results)
    failures = []
    for name in sorted(set(expected) | set(actual)):
        want, got = expected.get(name), actual.get(name)
        if want is None or got is None:
            failures.append(f"{name}: {'new output' if want is None else 'output no longer produced'}")
            continue
        differing = sorted(set(want) ^ set(got))
        if differing:
            keys = sorted({line.split(" ")[0] for line in differing})
            failures.append(f"{name}: {len(keys)} object(s) differ: {', '.join(keys[:12])}")
    if failures:
        print("outputs differ from tests/golden/outputs.txt:\n  " + "\n  ".join(failures))
        return 1
    print(f"{len(results)} outputs identical to the golden digests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
