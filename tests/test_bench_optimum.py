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
    "collapsed ML",
    "collapsed MAP",
    "too few points ML",
    "too few points MAP",
    "eigenvalue ML (min / median)",
    "eigenvalue MAP (min / median)",
    "BIC differs",
    "seconds ML",
    "seconds MAP",
    "MAP / ML",
]
BIC_COLUMNS = [
    "data",
    "covariance",
    "k ML",
    "k ML (degenerate kept)",
    "k MAP",
    "k MAP (degenerate kept)",
    "collapsed k ML",
    "too few points k ML",
    "collapsed k MAP",
    "too few points k MAP",
]
PRIOR_FEW = "(its covariance is the prior's, not the data's)"


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
def test_bench_optimum_prior_tables_and_map_fits_not_collapsed(tmp_path):
    # wine full k=5 collapses under maximum likelihood from the hierarchical
    # start (a component on 4 points, variance reg_covar along one axis);
    # under the prior the same 4 points keep a component whose covariance is
    # the prior's: too few points, not collapsed.
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
        assert row["collapsed MAP"] == "0", row
        for column in (
            "collapsed ML",
            "too few points ML",
            "too few points MAP",
        ):
            assert 0 <= int(row[column]) <= 4, (column, row)
        differs, groups = row["BIC differs"].split("/")
        assert groups == "2" and 0 <= int(differs) <= 2
        for column in ("eigenvalue ML (min / median)", "eigenvalue MAP (min / median)"):
            smallest, median = (float(x) for x in row[column].split(" / "))
            assert 0 < smallest <= median
    results = json.loads(output.read_text())
    summary = {row["strategy"]: row for row in results["summary"]}
    for strategy in strategies:
        # The printed ratio is that of the unrounded seconds.
        seconds_ml = summary[strategy]["ml"]["seconds"]
        seconds_map = summary[strategy]["map"]["seconds"]
        assert seconds_ml > 0 and seconds_map > 0
        ratio = float(by_strategy[strategy]["MAP / ML"])
        assert ratio == pytest.approx(seconds_map / seconds_ml, abs=0.006)
    assert by_strategy["best of strategies"]["seconds ML"] == "-"
    assert by_strategy["best of strategies"]["MAP / ML"] == "-"
    # The prior removes the collapse that maximum likelihood keeps; the
    # component it leaves on 4 rows counts as too few points.
    hierarchical = by_strategy["skem-hierarchical"]
    assert hierarchical["collapsed ML"] == "1"
    assert hierarchical["too few points MAP"] == "1"
    # The best of strategies prefers the non-degenerate k-means fit.
    best = by_strategy["best of strategies"]
    assert best["collapsed ML"] == best["too few points MAP"] == "0"

    header, rows = markdown_table(lines, "data")
    assert header == BIC_COLUMNS
    assert [row[:2] for row in rows] == [["iris", "full"], ["wine", "full"]]
    for row in rows:
        assert row[4] in ("2", "5")  # the MAP fits are never NA
        assert row[8] == "-"  # nor collapsed

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
            assert not fit["collapsed"], (case["case"], fit["reasons"])
            # The benchmark's verdict is skem's, and under the prior only
            # too few points is left.
            assert fit["skem_degenerate"] == fit["reasons"]
            assert fit["degenerate"] == fit["too_few_points"]
            for why in fit["reasons"].values():
                assert why.startswith("carries") and why.endswith(PRIOR_FEW)
            assert fit["min_relative_eigenvalue"] > 1e-3, case["case"]
            # The objective is the log-posterior, not the log-likelihood.
            assert fit["objective"] != pytest.approx(fit["log_likelihood"])
        assert not case["results"]["map"]["best of strategies"]["degenerate"]
        for fit in case["results"]["ml"].values():
            assert fit["objective"] == pytest.approx(fit["log_likelihood"])
            assert fit["skem_degenerate"] == fit["reasons"]
    wine5 = cases[3]["results"]
    ml, map_ = wine5["ml"]["skem-hierarchical"], wine5["map"]["skem-hierarchical"]
    assert ml["collapsed"] and ml["min_relative_eigenvalue"] < 1e-6
    assert map_["too_few_points"] and not map_["collapsed"]
    assert map_["min_nk"] == pytest.approx(4.0, abs=0.01)
