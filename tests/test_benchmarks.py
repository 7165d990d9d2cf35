"""The benchmark scripts keep running (at a tiny size; figures not checked)."""

import runpy
import subprocess
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


@pytest.mark.slow
def test_memmap_benchmark_fits_with_private_memory_capped_below_the_file(tmp_path):
    """A memmap twice the size of the memory the process may add is fitted."""
    command = [
        sys.executable,
        str(BENCHMARKS / "bench_memmap.py"),
        "--n-samples=1000000",
        "--n-iter=2",
        "--init-sample-size=10000",
        "--working-memory=4",
        f"--dir={tmp_path}",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "private memory cap: 19 MiB above the start" in result.stdout
    assert "(38 MiB file)" in result.stdout
    assert "time per EM iteration" in result.stdout
