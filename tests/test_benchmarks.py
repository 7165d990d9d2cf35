"""The benchmark scripts keep running (at a tiny size; figures not checked)."""

import runpy
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.mark.slow
def test_bench_fit_runs_at_reduced_size(monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(BENCHMARKS))  # as `python benchmarks/...`
    argv = ["bench_fit.py", "--n-samples", "300", "--n-iter", "3", "--repeat", "1"]
    monkeypatch.setattr(sys, "argv", argv)
    runpy.run_path(str(BENCHMARKS / "bench_fit.py"), run_name="__main__")
    out = capsys.readouterr().out
    for covariance_type in ("full", "tied", "diag", "spherical"):
        assert covariance_type in out
    assert "BinomialMixture fit" in out


@pytest.mark.slow
def test_parity_script_reports_tiny_differences(capsys):
    runpy.run_path(str(BENCHMARKS / "parity.py"), run_name="__main__")
    out = capsys.readouterr().out.splitlines()
    rows = [line.split() for line in out[4:8]]
    assert [row[0] for row in rows] == ["full", "tied", "diag", "spherical"]
    assert all(float(row[1]) < 1e-8 and float(row[2]) < 1e-8 for row in rows)
