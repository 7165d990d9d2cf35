"""Render the bad-input table of ``tests/test_bad_inputs.py`` as reStructuredText.

The table is a Python literal, read with :mod:`ast` (the test module is never
imported, so building the docs needs neither pytest nor dask). As a Sphinx
extension it writes ``docs/bad_inputs.rst`` when the build starts; run as a
script it writes the page too::

    python docs/_ext/bad_inputs.py
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "tests" / "test_bad_inputs.py"
PAGE = ROOT / "docs" / "bad_inputs.rst"

# ``:orphan:`` until the page is in a toctree (docs/index.rst): the docs
# build runs with -W, which fails on a page in no toctree.
HEADER = """\
:orphan:

.. This page is generated from tests/test_bad_inputs.py by
.. docs/_ext/bad_inputs.py; edit the table there, not here.

.. _bad_inputs:

Bad inputs and the errors they raise
====================================

Every row below is a test (``tests/test_bad_inputs.py``): the input is passed
to the method and the test asserts the exception and that its message matches
the pattern shown (a regular expression, searched in the message). "both"
rows are tested on every estimator alike (the models of
``tests/test_bad_inputs.py``, such as
``BinomialMixture(n_components=2, n_trials=10)`` and
``GaussianMixtureEM(n_components=2)``) on 20 samples of 3 features, fitted on
valid data first when the method needs a fitted model. Constructor parameters
are validated by ``fit`` (scikit-learn's convention), with
``InvalidParameterError``, a ``ValueError``.

Method groups:

{groups}

"""


def read_table(path=TABLE):
    """``BAD_INPUTS`` and ``METHOD_GROUPS`` of the test module, as literals."""
    return _literal(path, "BAD_INPUTS")


def read_groups(path=TABLE):
    return _literal(path, "METHOD_GROUPS")


def _literal(path, name):
    tree = ast.parse(Path(path).read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise LookupError(f"{name} not found in {path}")


def table_line(estimator, methods, description, error):
    """The first line of a row of the list-table (what a test can look for)."""
    return f"   * - {estimator}\n     - {methods}\n     - {description}\n     - {error}"


def render(rows, groups=None):
    """The reStructuredText page of ``rows``."""
    groups = read_groups() if groups is None else groups
    legend = "\n".join(
        f"- *{name}*: {', '.join(f'``{m}``' for m in methods)}"
        for name, methods in groups.items()
    )
    lines = [
        HEADER.format(groups=legend),
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 14 16 30 10 30",
        "",
        "   * - Estimator",
        "     - Method",
        "     - Input",
        "     - Exception",
        "     - Message matches",
    ]
    for estimator, methods, description, error, match in rows:
        lines.append(table_line(estimator, methods, description, error))
        lines.append(f"     - ``{match}``")
    return "\n".join(lines) + "\n"


def write_page(path=PAGE):
    """Write the page, only when its text changed (keeps Sphinx incremental)."""
    text = render(read_table())
    path = Path(path)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def setup(app):
    app.connect("builder-inited", lambda app: write_page())
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    write_page()
