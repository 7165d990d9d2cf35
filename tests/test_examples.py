"""Every script of examples/ runs to the end without a display."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("*.py"))


def test_examples_are_found():
    names = {path.name for path in EXAMPLES}
    assert {
        "plot_coin_flips.py",
        "plot_bic_selection.py",
        "plot_pipeline_gridsearch.py",
        "plot_binomial_counts.py",
    } <= names


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
    assert result.stdout.strip(), f"{path.name} printed nothing"
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == [], "examples must not write files"
