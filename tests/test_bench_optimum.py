"""The optimum-finding benchmark still runs (quick mode; figures unchecked)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_optimum.py"
GAUSSIAN = (
    "sklearn-kmeans-10",
    "skem-kmeans-10",
    "skem-hierarchical",
    "skem-emem",
    "skem-emem-hierarchical",
    "skem-emem-hierarchical-3",
    "skem-emem-split-merge",
)
BINOMIAL = (
    "skem-kmeans-10",
    "skem-random-10",
    "skem-hierarchical",
    "skem-emem",
    "skem-emem-hierarchical",
    "skem-emem-split-merge",
)


def table_rows(lines, title):
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    return [line.split() for line in lines[start + 3 :] if line.startswith("s")]


@pytest.mark.slow
def test_bench_optimum_quick_prints_every_strategy(tmp_path):
    output = tmp_path / "optimum.json"
    command = [sys.executable, str(SCRIPT), "--quick", "--json", str(output)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    gaussian = table_rows(lines, "GaussianMixture")[: len(GAUSSIAN)]
    binomial = table_rows(lines, "BinomialMixture")
    assert [row[0] for row in gaussian] == list(GAUSSIAN)
    assert [row[0] for row in binomial] == list(BINOMIAL)
    results = json.loads(output.read_text())
    cases = results["gaussian"]["cases"]
    assert len(cases) == 8 and len(results["binomial"]["cases"]) == 2
    for case in cases:
        # The best known is at least every skem strategy's sound result
        # (scikit-learn's early-stopped fits do not count).
        for strategy, run in case["results"].items():
            if strategy.startswith("skem") and not run["degenerate"]:
                assert run["log_likelihood"] <= case["best_known"]
    for row in results["gaussian"]["summary"] + results["binomial"]["summary"]:
        assert 0 <= row["reached"] <= len(cases)
