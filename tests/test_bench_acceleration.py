"""The plain EM against SQUAREM benchmark still runs (tiny run, figures unchecked)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_acceleration.py"
CASES = ("geissler-k2", "geissler-k3", "saxony-k3", "gauss-full", "gauss-diag")


@pytest.mark.slow
def test_bench_acceleration_quick_prints_every_case(tmp_path):
    output = tmp_path / "acceleration.json"
    command = [sys.executable, str(SCRIPT), "--quick", "--json", str(output)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("case"))
    rows = [line.split() for line in lines[header + 2 : header + 2 + 2 * len(CASES)]]
    assert [(row[0], row[1]) for row in rows] == [
        (case, method) for case in CASES for method in ("plain", "squarem")
    ]
    results = json.loads(output.read_text())["results"]
    assert [summary["case"] for summary in results] == list(CASES)
