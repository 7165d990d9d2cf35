"""The documentation site builds without a warning, gallery included.

One Sphinx build (``python -m sphinx -W``) of a copy of docs/ and examples/
runs every example once; the tests below read what it produced. The pages'
own doctests (docs/*.rst) and the docstrings' Examples run as doctests of the
suite (``--doctest-glob='*.rst'``, ``--doctest-modules``).
"""

import html
import inspect
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from numpydoc.docscrape import NumpyDocString
from test_examples import EXAMPLES, EXPECTED_OUTPUT

import skem
import skem.datasets
import skem.model_selection

ROOT = Path(__file__).parents[1]
COPYRIGHT = "2026, skem developers"
# Sphinx typesets quotes; the docstrings have straight ones.
SMART_QUOTES = str.maketrans("\u2018\u2019\u201c\u201d", "''\"\"")

PUBLIC_MODULES = {
    "skem": ["BinomialMixture", "GaussianMixtureEM", "StudentTMixture"],
    "skem.datasets": skem.datasets.__all__,
    "skem.model_selection": skem.model_selection.__all__,
    "skem.exceptions": ["DegenerateFitWarning", "SampleWeightWarning"],
}
PUBLIC_OBJECTS = {
    f"{module}.{name}": getattr(sys.modules[module], name)
    for module, names in PUBLIC_MODULES.items()
    for name in names
}
# Warning classes are rendered on the API page itself (their members are
# Python's own), the other classes on a page each.
PUBLIC_CLASSES = {
    name: obj
    for name, obj in PUBLIC_OBJECTS.items()
    if inspect.isclass(obj) and not issubclass(obj, Warning)
}
PUBLIC_WARNINGS = {
    name: obj
    for name, obj in PUBLIC_OBJECTS.items()
    if inspect.isclass(obj) and issubclass(obj, Warning)
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Build the site from a fresh copy, so no cached gallery output is reused."""
    root = tmp_path_factory.mktemp("site")
    generated = shutil.ignore_patterns(
        "_build", "auto_examples", "generated", "sg_execution_times.rst", "__pycache__"
    )
    for folder in ("docs", "examples", "tests"):  # conf.py reads tests/ tables
        shutil.copytree(ROOT / folder, root / folder, ignore=generated)
    env = {
        **os.environ,
        "MPLBACKEND": "Agg",
        # One BLAS thread: the examples' matrices are small.
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        # Examples run free of skem's warnings (ConvergenceWarning is a
        # UserWarning), which point at the example's own lines (__main__);
        # other libraries' deprecations are not ours to fail on.
        "PYTHONWARNINGS": "error::UserWarning:__main__",
    }
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q"]
    command += ["-b", "html", str(root / "docs"), str(root / "html")]
    result = subprocess.run(
        command, cwd=root, env=env, capture_output=True, text=True, timeout=1200
    )
    return root, result


def page_text(path):
    """The visible text of an HTML page, whitespace collapsed."""
    text = re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))
    text = html.unescape(text).translate(SMART_QUOTES)
    return " ".join(text.split())


@pytest.mark.slow
def test_docs_build_without_a_warning(site):
    _, result = site
    assert result.returncode == 0, result.stderr[-5000:]
    assert "WARNING" not in result.stderr, result.stderr[-5000:]


@pytest.mark.slow
def test_footer_carries_the_copyright(site):
    root, _ = site
    assert COPYRIGHT in page_text(root / "html" / "index.html")


@pytest.mark.slow
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_gallery_page_shows_output_and_figures(site, path):
    root, _ = site
    page = root / "html" / "auto_examples" / f"{path.stem}.html"
    assert EXPECTED_OUTPUT[path.name] in page_text(page)
    image = rf'src="(\.\./_images/sphx_glr_{path.stem}_\d+\.png)"'
    figures = re.findall(image, page.read_text())
    assert figures, f"{path.name} shows no figure"
    for figure in figures:
        assert (page.parent / figure).is_file()


@pytest.mark.slow
def test_examples_write_no_files(site):
    root, _ = site
    written = {p.name for p in (root / "examples").iterdir()}
    assert written == {p.name for p in (ROOT / "examples").iterdir()} - {"__pycache__"}


def public_members(cls):
    return [
        name
        for name, _ in inspect.getmembers(cls)
        if not name.startswith("_") and name != "__call__"
    ]


@pytest.mark.slow
@pytest.mark.parametrize("name", PUBLIC_CLASSES)
def test_api_page_renders_every_member_in_full(site, name):
    root, _ = site
    cls = PUBLIC_CLASSES[name]
    page = root / "html" / "generated" / f"{name}.html"
    source = page.read_text(encoding="utf-8")
    text = page_text(page)
    for member in public_members(cls):
        assert f'id="{name}.{member}"' in source, f"{member} not rendered"
        doc = NumpyDocString(inspect.getdoc(getattr(cls, member)) or "")
        assert doc["Summary"], f"{name}.{member} has no summary"
        for parameter in doc["Parameters"]:
            assert parameter.name.lstrip("*") in text


@pytest.mark.slow
@pytest.mark.parametrize("name", PUBLIC_WARNINGS)
def test_api_page_renders_every_warning(site, name):
    root, _ = site
    source = (root / "html" / "api.html").read_text(encoding="utf-8")
    assert f'id="{name}"' in source
    summary = NumpyDocString(inspect.getdoc(PUBLIC_WARNINGS[name]))["Summary"]
    assert " ".join(summary) in page_text(root / "html" / "api.html")


@pytest.mark.slow
@pytest.mark.parametrize(
    "page, url",
    [
        (
            "generated/skem.GaussianMixtureEM.html",
            "https://scikit-learn.org/stable/modules/generated/"
            "sklearn.mixture.GaussianMixture.html#sklearn.mixture.GaussianMixture",
        ),
        (
            "large_data.html",
            "https://numpy.org/doc/stable/reference/generated/"
            "numpy.memmap.html#numpy.memmap",
        ),
        (
            "binomial.html",
            "https://docs.scipy.org/doc/scipy/reference/generated/"
            "scipy.special.logsumexp.html#scipy.special.logsumexp",
        ),
        (
            "scaling.html",
            "https://docs.dask.org/en/stable/generated/"
            "dask.array.Array.html#dask.array.Array",
        ),
    ],
)
def test_other_projects_names_link_to_their_sites(site, page, url):
    # Through intersphinx, from the committed inventories (docs/_intersphinx).
    root, _ = site
    assert f'href="{url}"' in (root / "html" / page).read_text(encoding="utf-8")


@pytest.mark.slow
def test_intersphinx_inventories_are_current():
    # Every name the pages and docstrings link in another project is in the
    # committed inventories, placed where that project documents it.
    script = ROOT / "docs" / "_intersphinx" / "make_inventories.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_set_request_methods_render_without_a_scikit_learn_version(site):
    root, _ = site
    for name in ("skem.BinomialMixture", "skem.GaussianMixtureEM"):
        text = page_text(root / "html" / "generated" / f"{name}.html")
        assert "Configure whether metadata should be requested" in text
        assert "Added in version" not in text


@pytest.mark.slow
def test_binomial_fit_page_documents_per_sample_trials(site):
    # The text that was missing from the first site: fit's n_trials.
    root, _ = site
    text = page_text(root / "html" / "generated" / "skem.BinomialMixture.html")
    fit_doc = NumpyDocString(inspect.getdoc(skem.BinomialMixture.fit))
    (n_trials,) = [p for p in fit_doc["Parameters"] if p.name == "n_trials"]
    first_words = " ".join(" ".join(n_trials.desc).split()[:8])
    assert first_words.replace("``", "") in text


# ----------------------------------------------------------------------
# Docstrings of the public names (no build needed)
# ----------------------------------------------------------------------
def documented_sections(obj):
    # Module-level scorer instances are documented by their class.
    target = obj if inspect.isclass(obj) or inspect.isfunction(obj) else type(obj)
    return NumpyDocString(inspect.getdoc(target)), target


@pytest.mark.parametrize("name", PUBLIC_OBJECTS)
def test_public_name_has_the_numpydoc_sections(name):
    doc, target = documented_sections(PUBLIC_OBJECTS[name])
    if inspect.isclass(target) and issubclass(target, Warning):
        # A warning class takes a message and has no attributes of its own.
        assert doc["See Also"]
        assert any(line.lstrip().startswith(">>>") for line in doc["Examples"])
        return
    takes_arguments = bool(inspect.signature(target).parameters)
    assert bool(doc["Parameters"]) == takes_arguments
    if inspect.isclass(target):
        assert doc["Attributes"]
    else:
        assert doc["Returns"]
    assert doc["See Also"]
    assert any(line.lstrip().startswith(">>>") for line in doc["Examples"])
