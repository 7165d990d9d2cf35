"""The benchmark scripts keep running (at a tiny size; figures not checked)."""

import json
import os
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


@pytest.mark.slow
def test_run_benchmark_at_quick_size(monkeypatch, capsys, tmp_path):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    out_json, out_rst = tmp_path / "r.json", tmp_path / "t.rst"
    argv = ["run.py", "--quick", "--json", str(out_json), "--rst", str(out_rst)]
    monkeypatch.setattr(sys, "argv", argv)
    runpy.run_path(str(BENCHMARKS / "run.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "BinomialMixture" in out and "skem / floor" in out
    report = json.loads(out_json.read_text())
    assert report["settings"]["complete"]
    rows = report["results"]
    assert {row.get("covariance_type") for row in rows} >= {
        "full",
        "tied",
        "diag",
        "spherical",
    }
    assert "spherical" in out_rst.read_text()
    assert all(row["skem_1thread_ms_per_iter"] is not None for row in rows)


@pytest.mark.slow
def test_thread_scaling_table_at_quick_size(monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    monkeypatch.setattr(sys, "argv", ["run.py", "--quick", "--scaling"])
    runpy.run_path(str(BENCHMARKS / "run.py"), run_name="__main__")
    out = capsys.readouterr().out
    n_cores = len(os.sched_getaffinity(0))
    for model in (
        "GaussianMixtureEM full",
        "GaussianMixtureEM diag",
        "BinomialMixture",
    ):
        lines = [line for line in out.splitlines() if line.startswith(model)]
        assert len(lines) == n_cores


@pytest.mark.slow
def test_dask_benchmark_runs_at_reduced_size():
    command = [
        sys.executable,
        str(BENCHMARKS / "bench_dask.py"),
        "--n-samples=20000",
        "--chunk-rows=5000",
        "--n-iter=3",
        "--repeat=1",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "dask, 2 workers" in result.stdout
    gap = float(result.stdout.rsplit(":", 1)[1])
    assert gap < 1e-10


@pytest.mark.slow
def test_stopping_rule_benchmark_runs_at_reduced_size():
    command = [sys.executable, str(BENCHMARKS / "bench_stopping.py"), "--quick"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    rows = [
        line
        for line in result.stdout.splitlines()
        if line.startswith(("None", "squarem"))
    ]
    assert len(rows) == 5
