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


PRIOR_COLUMNS = [
    "strategy",
    "degenerate ML",
    "degenerate MAP",
    "few points MAP",
    "eigenvalue ML (min / median)",
    "eigenvalue MAP (min / median)",
    "BIC differs",
    "seconds ML",
    "seconds MAP",
]
BIC_COLUMNS = [
    "data",
    "covariance",
    "k ML",
    "k ML (degenerate kept)",
    "k MAP",
    "degenerate k ML",
    "degenerate k MAP",
]


def markdown_table(lines, first_column):
    """Header and rows of the markdown table whose header starts so."""
    start = next(
        i for i, line in enumerate(lines) if line.startswith(f"| {first_column} |")
    )
    table = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        table.append([cell.strip() for cell in line.strip("|").split("|")])
    assert set("".join(table[1])) <= set("-: "), table[1]
    return table[0], table[2:]


@pytest.mark.slow
def test_bench_optimum_prior_tables_and_map_fits_not_degenerate(tmp_path):
    # wine full k=5 collapses under maximum likelihood from the hierarchical
    # start (a component on 4 points, variance 1e-6 along one axis).
    output = tmp_path / "prior.json"
    strategies = ["skem-hierarchical", "skem-kmeans-10"]
    command = [
        sys.executable,
        str(SCRIPT),
        "--prior",
        "--data",
        "iris,wine",
        "--covariance-types",
        "full",
        "--ks",
        "2,5",
        "--strategies",
        ",".join(strategies),
        "--json",
        str(output),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()

    header, rows = markdown_table(lines, "strategy")
    assert header == PRIOR_COLUMNS
    assert [row[0] for row in rows] == [*strategies, "best of strategies"]
    by_strategy = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    for row in by_strategy.values():
        assert row["degenerate MAP"] == "0", row
        assert 0 <= int(row["degenerate ML"]) <= 4
        assert 0 <= int(row["few points MAP"]) <= 4
        differs, groups = row["BIC differs"].split("/")
        assert groups == "2" and 0 <= int(differs) <= 2
        for column in ("eigenvalue ML (min / median)", "eigenvalue MAP (min / median)"):
            smallest, median = (float(x) for x in row[column].split(" / "))
            assert 0 < smallest <= median
    # The prior removes the collapse that maximum likelihood keeps.
    assert by_strategy["skem-hierarchical"]["degenerate ML"] == "1"

    header, rows = markdown_table(lines, "data")
    assert header == BIC_COLUMNS
    assert [row[:2] for row in rows] == [["iris", "full"], ["wine", "full"]]
    for row in rows:
        assert row[4] in ("2", "5")  # the MAP fits are never NA
        assert row[6] == "-"

    results = json.loads(output.read_text())
    cases = results["cases"]
    assert [case["case"] for case in cases] == [
        "iris-full-k2",
        "iris-full-k5",
        "wine-full-k2",
        "wine-full-k5",
    ]
    for case in cases:
        assert list(case["results"]["map"]) == [*strategies, "best of strategies"]
        for fit in case["results"]["map"].values():
            assert not fit["degenerate"] and fit["skem_degenerate"] == []
            assert fit["min_relative_eigenvalue"] > 1e-3, case["case"]
            # The objective is the log-posterior, not the log-likelihood.
            assert fit["objective"] != pytest.approx(fit["log_likelihood"])
        for fit in case["results"]["ml"].values():
            assert fit["objective"] == pytest.approx(fit["log_likelihood"])
    wine5 = cases[3]["results"]["ml"]["skem-hierarchical"]
    assert wine5["degenerate"] and wine5["min_relative_eigenvalue"] < 1e-6
