"""Every script of examples/ runs to the end without a display."""

import ast
import os
import subprocess
import sys
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


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_example_runs_without_a_display(path, tmp_path):
    env = {
        **os.environ,
        "MPLBACKEND": "Agg",
        # One BLAS thread: tiny matrices only lose time to spinning threads
        # when the machine is busy.
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        # Examples run free of skem's warnings (ConvergenceWarning is a
        # UserWarning), which point at the example's own lines (__main__);
        # other libraries' deprecations are not ours to fail on.
        "PYTHONWARNINGS": "error::UserWarning:__main__",
    }
    result = subprocess.run(
        [sys.executable, str(path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert EXPECTED_OUTPUT[path.name] in result.stdout
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == [], "examples must not write files"
