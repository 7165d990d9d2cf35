"""Every script of examples/ is a gallery page with a title and a checked result.

The scripts run once, inside the documentation build of tests/test_docs.py,
which checks each page's output against ``EXPECTED_OUTPUT`` and its figures.
"""

import ast
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("*.py"))


# A line each example must print: its result, not just "it ran".
EXPECTED_OUTPUT = {
    "plot_coin_flips.py": "after 10 iterations: thetaA = 0.80, thetaB = 0.52",
    "plot_bic_selection.py": "Best by BIC:",
    "plot_pipeline_gridsearch.py": "Best initialization:",
    "plot_binomial_counts.py": "Best by BIC: n_components=3",
    "plot_missing_values.py": "Parameter error",
    "plot_online_fitting.py": "online, 3 epochs: mean log-likelihood -3.805",
    "plot_dask.py": "EM iterations: 6 on dask, 6 in memory",
    "plot_acceleration.py": "SQUAREM: converged after",
    "plot_poisson_counts.py": "Best by BIC: n_components=3",
    "plot_latent_classes.py": "3 classes: log-likelihood -293.705",
    "plot_mixed_births.py": "cluster 0: 111 births, low birth weight 41%",
    "plot_student_outliers.py": "Points below the inliers' 1% quantile of u",
    "plot_prior_knowledge.py": (
        "conjugate prior: best by BIC n_components=4, degenerate fits 0 of 7"
    ),
}


def test_every_example_has_an_expected_output():
    assert {path.name for path in EXAMPLES} == set(EXPECTED_OUTPUT)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_example_has_a_gallery_title(path):
    docstring = ast.get_docstring(ast.parse(path.read_text()), clean=True)
    assert docstring, f"{path.name} has no module docstring"
    title, underline = docstring.splitlines()[:2]
    assert title.strip()
    assert set(underline) == {"="} and len(underline) >= len(title)
