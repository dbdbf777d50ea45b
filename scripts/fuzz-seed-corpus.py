#!/usr/bin/python3
"""Regenerates the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/) from
the repository's scenarios, models, platforms, traces and criteria rules. Run it again
after adding inputs of a new kind; files are named by content hash, so re-running only
adds what is new."""
import hashlib
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fuzz" / "corpus"


def add(target: str, data: bytes) -> None:
    directory = CORPUS / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)


def files(*patterns):
    for pattern in patterns:
        yield from sorted(ROOT.glob(pattern))


# Scenarios, alone and with --set overrides.
OVERRIDES = [
    "simulation.duration=5s",
    "tenants.0.arrival.rate=12.5",
    "hosts.default.buffer=5",
    "exits.policy=ucb",
    "tenants.0.arrival={process=\"mmpp2\", rates=[10, 1], sojourn=[\"2s\", 5]}",
    "tenants.1.name=\"x\"",
    "simulation.requests=100",
    "tenants.0.work={distribution=\"erlang\", stages=3}",
]
for path in files("scenarios/*.toml", "tests/data/scenarios/*.toml"):
    text = path.read_bytes()
    add("scenario", text)
    add("scenario", text + b"\n# --set\n" + "\n".join(OVERRIDES).encode() + b"\n")

# Model profiles (inline trace paths resolve from scenarios/models/).
for path in files("scenarios/models/*.toml", "tests/data/scenarios/tiny-model.toml", "tests/data/bad/model-*.toml"):
    add("model", path.read_bytes())

# Exit traces: first byte = number of intermediate exits.
for path in files("tests/data/scenarios/*exit-trace*.csv", "tests/data/bad/exit-trace-*.csv"):
    for exits in (0, 1, 2, 3):
        add("exit_trace", bytes([exits]) + path.read_bytes())
add("exit_trace", b"\x01sample,exit,confidence,correct\r\n0,0,0.5,1\r\n0,1,0.9,0\r\n")

# Criteria rules: the unit tests' rules and the documentation's examples.
rules = set()
for path in files("tests/unit/test_exit_criteria.cpp", "src/policies/exit/criteria*.cpp", "docs/*.md",
                  "README.md", "scenarios/*.toml"):
    text = path.read_text(errors="replace")
    rules.update(re.findall(r'\{"((?:[^"\\]|\\.)*)", (?:true|false|\d+)', text))
    rules.update(re.findall(r'rule = "((?:[^"\\]|\\.)*)"', text))
for rule in rules:
    add("criteria", rule.encode().decode("unicode_escape").encode())

# Platform host properties: name, ram_bytes, device_class, battery_wh, wifi_rate.
properties = {}
for path in files("platforms/*.xml", "tests/data/platforms/*.xml", "tests/data/scenarios/*.xml", "tests/data/bad/*.xml"):
    for name, value in re.findall(r'<prop id="(ram_bytes|device_class|battery_wh|wifi_rate)" value="([^"]*)"',
                                  path.read_text(errors="replace")):
        properties.setdefault(name, set()).add(value)
for ram in sorted(properties.get("ram_bytes", {"0"})):
    for device in sorted(properties.get("device_class", {""}))[:2]:
        add("platform", b"\0".join(v.encode() for v in ("pi4-1", ram, device)))
for battery in sorted(properties.get("battery_wh", {"12.1"})):
    for rate in sorted(properties.get("wifi_rate", {"0"})):
        add("platform", b"\0".join(v.encode() for v in ("jetson\t1", "4GiB", "jetson_nano", battery, rate)))
add("platform", b"host\\name\nwith\tbreaks")
add("platform", b"a\t2\t1e9,5e8\t=8\t=pi\t\t=1\t0\nb\t1\t1e9\t\t\t=2.5\t\t1\n")
