"""Sphinx configuration for the skem documentation.

Build with ``python -m sphinx -W -b html docs docs/_build/html`` (the test
suite runs the same build, gallery included, in ``tests/test_docs.py``).
"""

import sys
from pathlib import Path

import skem

# Local extensions (docs/_ext): bad_inputs writes docs/bad_inputs.rst.
sys.path.insert(0, str(Path(__file__).parent / "_ext"))
sys.path.insert(0, str(Path(__file__).parent / "_intersphinx"))

from make_inventories import PROJECTS  # noqa: E402

project = "skem"
author = "skem developers"
copyright = "2026, skem developers"  # the footer
release = skem.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.doctest",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "bad_inputs",
]

templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "_templates",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "sg_execution_times.rst",
    # Benchmark tables written by benchmarks/*.py, included by their pages.
    "*_table.rst",
]

# API pages: one page per public name, each method and attribute with its
# full text (the members are listed by docs/_templates/class.rst).
autosummary_generate = True
autodoc_default_options = {"member-order": "alphabetical"}
numpydoc_show_class_members = False
numpydoc_xref_param_type = False

# Links to scikit-learn, numpy, scipy, dask, pandas and Python names. The
# build reads no inventory from the network (it runs offline, with -W): each
# project's inventory is a small file of the names these pages use, written
# by docs/_intersphinx/make_inventories.py (rerun it after adding such a
# reference), and the links go to the project's real site.
intersphinx_mapping = {
    name: (url, f"_intersphinx/{name}.inv")
    for name, (_, url, _) in PROJECTS.items()
    if (Path(__file__).parent / "_intersphinx" / f"{name}.inv").exists()
}

html_theme = "pydata_sphinx_theme"
html_title = f"skem {release}"
html_show_sourcelink = False
html_theme_options = {
    "github_url": "https://github.com/skem-dev/skem",
    "navigation_with_keys": False,
    "show_toc_level": 2,
}

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    # "Examples using ..." under every API page.
    "doc_module": ("skem",),
    "backreferences_dir": "generated/backreferences",
    "reference_url": {"skem": None},
    # An example that fails fails the build.
    "abort_on_example_error": True,
}

# Generated pages: docs/bad_inputs.rst is written from the table of
# tests/test_bad_inputs.py by the "bad_inputs" extension above when the build
# starts; benchmarks write the *_table.rst files their pages include.
