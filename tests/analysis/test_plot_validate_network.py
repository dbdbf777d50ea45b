"""analysis/plot_validate_network.py: reading the table, the error summary, the figure."""

import csv
import math
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "analysis"))
import plot_validate_network as pvn  # noqa: E402


def write_table(path, rows):
    columns = ["dist", "stations", "K", "rho", "classes", "station"] + [
        f"{k}_{m}" for m in pvn.METRICS for k in ("sim", "exact", "poisson", "qna")] + [
        f"sim_{m}_hw95" for m in pvn.METRICS]
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns)
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, 0.01) for c in columns})


def row(dist, station, exact_loss, poisson_loss, qna_loss, sim_loss=0.1, rho=0.5, K=2):
    r = dict(dist=dist, stations=2, K=K, rho=rho, classes=1, station=station, sim_loss=sim_loss,
             exact_loss=exact_loss, poisson_loss=poisson_loss, qna_loss=qna_loss)
    for m in ("throughput", "response"):
        r.update({f"sim_{m}": 10.0, f"exact_{m}": 10.0, f"poisson_{m}": 11.0, f"qna_{m}": 9.5})
    return r


def test_error_summary_uses_exact_or_the_simulation(tmp_path):
    path = tmp_path / "t.csv"
    write_table(path, [row("exp", 1, 0.2, 0.2, 0.2), row("exp", 2, 0.1, 0.15, 0.12),
                       row("det", 0, "nan", 0.3, 0.1, sim_loss=0.2)])
    rows = pvn.load_rows(str(path))
    summary = {(s["dist"], s["approximation"], s["metric"]): s for s in pvn.error_summary(rows)}
    assert summary[("exp", "poisson", "loss")]["max"] == pytest.approx(0.5)
    assert summary[("exp", "poisson", "loss")]["median"] == pytest.approx(0.25)
    assert summary[("exp", "qna", "loss")]["max"] == pytest.approx(0.2)
    assert summary[("exp", "poisson", "throughput")]["median"] == pytest.approx(0.1)
    det = summary[("det", "qna", "loss")]
    assert det["reference"] == "simulation" and det["max"] == pytest.approx(0.5)


def test_main_plots_and_prints(tmp_path, capsys):
    path = tmp_path / "t.csv"
    write_table(path, [row("exp", s, 0.2, 0.21, 0.22, rho=rho) for s in (1, 2, 0) for rho in (0.5, 0.9)])
    out = tmp_path / "fig.png"
    assert pvn.main([str(path), "-o", str(out), "--summary"]) == 0
    assert out.stat().st_size > 10000
    text = capsys.readouterr().out
    assert "| exp | poisson | loss | exact | 6 |" in text


def test_missing_columns_and_files_are_errors(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("dist,rho\nexp,0.5\n")
    assert pvn.main([str(bad)]) == 1
    assert "lacks column(s)" in capsys.readouterr().err
    assert pvn.main([str(tmp_path / "none.csv")]) == 1


def test_real_table_if_available(tmp_path):
    """The shipped docs table reads and every exponential row has an exact value."""
    rows = pvn.load_rows(str(REPO / "docs" / "img" / "validate-network-exp.csv"))
    assert len(rows) == 42 and all(math.isfinite(r["exact_loss"]) for r in rows)
    # The first station is exact in the Poisson decomposition.
    assert all(abs(r["poisson_loss"] - r["exact_loss"]) < 1e-12 for r in rows if r["station"] == 1)
