"""Write the intersphinx inventories of the names skem's documentation links to.

The documentation links scikit-learn, numpy, scipy, dask, pandas and Python
names to those projects' sites with :mod:`sphinx.ext.intersphinx`, which reads
each project's ``objects.inv``. The build must not download them (it runs
offline, with ``-W``), so this script writes small ones here, one per project
(``docs/_intersphinx/<project>.inv``), and ``docs/conf.py`` maps each project
to its real site with the local file as the inventory.

Each inventory holds only the names the documentation refers to: the targets
of ``:class:``, ``:func:``, ``:meth:``, ``:attr:``, ``:mod:``, ``:obj:``,
``:data:`` and ``:exc:`` roles and the "See Also" entries in ``docs/*.rst``,
``examples/*.py`` and the docstrings of skem's public API (inherited ones
included: scikit-learn's ``set_*_request`` and ``get_params`` are rendered
too). Each name is imported to learn what it is (module, class, function,
method, attribute), and its address on the project's site follows the
pattern that site uses (``URI_RULES`` below); a name no rule places stops the
script, so no inventory points at a page that does not exist.

After adding or removing such a reference, run (with the docs extra
installed, from the repository root)::

    python docs/_intersphinx/make_inventories.py

``--check`` writes nothing and exits 1 when the committed inventories differ
from what the script would write (``tests/test_docs.py`` runs it).
"""

import argparse
import builtins
import importlib
import inspect
import re
import sys
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

#: Project key (the inventory's file name and intersphinx name): its title,
#: its site (the base URL of every address below) and the packages it holds.
PROJECTS = {
    "sklearn": ("scikit-learn", "https://scikit-learn.org/stable/", ["sklearn"]),
    "numpy": ("NumPy", "https://numpy.org/doc/stable/", ["numpy"]),
    "scipy": ("SciPy", "https://docs.scipy.org/doc/scipy/", ["scipy"]),
    "dask": ("Dask", "https://docs.dask.org/en/stable/", ["dask"]),
    "distributed": (
        "Dask.distributed",
        "https://distributed.dask.org/en/stable/",
        ["distributed"],
    ),
    "pandas": ("pandas", "https://pandas.pydata.org/docs/", ["pandas"]),
    "python": ("Python", "https://docs.python.org/3/", []),  # stdlib, builtins
}

ROLE = re.compile(
    r":(?:py:)?(?:class|func|meth|attr|mod|obj|data|exc):"
    r"`(?:[^`<]*<)?[~.]?(?P<target>[\w.]+?)(?:\(\))?>?`"
)


class Unplaced(Exception):
    """A referenced name that no rule of ``URI_RULES`` gives an address."""


# ----------------------------------------------------------------------
# Where each project documents its names
# ----------------------------------------------------------------------
def sklearn_uri(name, kind, module):
    # Modules have a page each under api/; classes and functions a page each
    # under modules/generated/, their methods and attributes on that page.
    if kind == "py:module":
        return f"api/{name}.html#module-{name}"
    return f"modules/generated/{_page(name, kind)}.html#{name}"


def numpy_uri(name, kind, module):
    # One page per name under reference/generated/, methods included
    # (numpy.ndarray.sum has its own page). numpy.random is laid out apart.
    if name.startswith("numpy.random.") or kind == "py:module":
        raise Unplaced(name)
    return f"reference/generated/{name}.html#{name}"


def scipy_uri(name, kind, module):
    # Subpackages have a page each under reference/; their names a page each
    # under reference/generated/, methods included.
    if kind == "py:module":
        if name.count(".") != 1:
            raise Unplaced(name)
        return f"reference/{name.split('.')[1]}.html#module-{name}"
    return f"reference/generated/{name}.html#{name}"


def dask_uri(name, kind, module):
    # The API of dask.array: a page per name under generated/, methods too.
    if not name.startswith("dask.array.") or kind == "py:module":
        raise Unplaced(name)
    return f"generated/{name}.html#{name}"


def distributed_uri(name, kind, module):
    # One API page, distributed's names at top level (distributed.Client).
    if kind == "py:module" or name.count(".") != (1 if kind in CLASS_LEVEL else 2):
        raise Unplaced(name)
    return f"api.html#{name}"


def pandas_uri(name, kind, module):
    # A page per name under reference/api/, methods and attributes included.
    if kind == "py:module":
        raise Unplaced(name)
    return f"reference/api/{name}.html#{name}"


def python_uri(name, kind, module):
    # A page per module under library/; builtins on the functions and
    # exceptions pages.
    if kind == "py:module":
        return f"library/{name}.html#module-{name}"
    if module == "builtins":
        page = "exceptions" if kind == "py:exception" else "functions"
        return f"library/{page}.html#{name}"
    return f"library/{module}.html#{name}"


URI_RULES = {
    "sklearn": sklearn_uri,
    "numpy": numpy_uri,
    "scipy": scipy_uri,
    "dask": dask_uri,
    "distributed": distributed_uri,
    "pandas": pandas_uri,
    "python": python_uri,
}

CLASS_LEVEL = {"py:class", "py:exception", "py:function", "py:data"}


def _page(name, kind):
    """The page of a name: its own, or its class's for a method or attribute."""
    return name if kind in CLASS_LEVEL else name.rsplit(".", 1)[0]


# ----------------------------------------------------------------------
# The names the documentation refers to
# ----------------------------------------------------------------------
def public_docstrings():
    """The docstrings the API pages render: public names and their members."""
    import skem.datasets
    import skem.exceptions
    import skem.model_selection

    for module in (skem, skem.datasets, skem.model_selection, skem.exceptions):
        names = getattr(module, "__all__", None) or [
            n for n in vars(module) if not n.startswith("_")
        ]
        for name in names:
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or inspect.isroutine(obj)):
                obj = type(obj)  # a scorer instance is documented by its class
            yield inspect.getdoc(obj) or ""
            if inspect.isclass(obj):
                for member in dir(obj):
                    if member == "__call__" or not member.startswith("_"):
                        yield inspect.getdoc(getattr(obj, member)) or ""


def referenced_names():
    """Role targets and "See Also" names of the pages, examples and docstrings."""
    from numpydoc.docscrape import NumpyDocString

    texts = [p.read_text(encoding="utf-8") for p in sorted(ROOT.glob("docs/*.rst"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted(ROOT.glob("examples/*.py"))]
    names = set()
    for doc in public_docstrings():
        texts.append(doc)
        try:
            see_also = NumpyDocString(doc)["See Also"]
        except Exception:  # not numpydoc: its roles are still read below
            see_also = []
        names.update(name for funcs, _ in see_also for name, _ in funcs)
    for text in texts:
        names.update(match["target"] for match in ROLE.finditer(text))
    return names


def project_of(name):
    top = name.split(".")[0]
    for key, (_, _, packages) in PROJECTS.items():
        if top in packages:
            return key
    if top in sys.stdlib_module_names or (top == name and hasattr(builtins, name)):
        return "python"
    return None


def resolve(name):
    """The object called ``name``, the module it was reached from, its kind."""
    parts = name.split(".")
    for split in range(len(parts), 0, -1):
        module_name = ".".join(parts[:split])
        try:
            obj = importlib.import_module(module_name)
        except ImportError:
            continue
        break
    else:
        module_name, obj, split = "builtins", builtins, 0
    parent = None
    for attr in parts[split:]:
        parent, obj = obj, getattr(obj, attr)
    return obj, module_name, _kind(obj, parent)


def _kind(obj, parent):
    if inspect.ismodule(obj):
        return "py:module"
    if inspect.isclass(parent):
        return "py:method" if callable(obj) else "py:attribute"
    if inspect.isclass(obj):
        is_exception = issubclass(obj, BaseException)
        return "py:exception" if is_exception else "py:class"
    if callable(obj):  # functions, builtins, numpy ufuncs
        return "py:function"
    return "py:data"


def inventories():
    """``{project: sorted inventory lines}`` of every referenced name."""
    lines, unplaced = {}, []
    for name in sorted(referenced_names()):
        project = project_of(name)
        if project is None:
            continue  # skem's own, or a local name
        try:
            _, module, kind = resolve(name)
            uri = URI_RULES[project](name, kind, module)
        except (AttributeError, Unplaced):
            unplaced.append(name)
            continue
        if uri.endswith("#" + name):
            uri = uri[: -len(name)] + "$"  # the format's abbreviation
        priority = 0 if kind == "py:module" else 1
        lines.setdefault(project, []).append(f"{name} {kind} {priority} {uri} -")
    if unplaced:
        raise SystemExit(
            "No rule gives an address to: "
            + ", ".join(unplaced)
            + ". Add one to URI_RULES in docs/_intersphinx/make_inventories.py "
            "(or fix the reference)."
        )
    return lines


# ----------------------------------------------------------------------
# The objects.inv format, version 2
# ----------------------------------------------------------------------
def version_of(project):
    if project == "python":
        return f"{sys.version_info.major}.{sys.version_info.minor}"
    module = importlib.import_module(PROJECTS[project][2][0])
    return ".".join(module.__version__.split(".")[:2])


def encode(project, lines):
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {PROJECTS[project][0]}\n"
        f"# Version: {version_of(project)}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    body = "".join(line + "\n" for line in lines)
    return header.encode() + zlib.compress(body.encode(), 9)


def decode(data):
    """The entry lines of an inventory written by :func:`encode`."""
    body = data.split(b"\n", 4)[4]
    return zlib.decompress(body).decode().splitlines()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if the committed inventories are not current",
    )
    args = parser.parse_args(argv)
    wanted = inventories()
    stale = []
    for project in PROJECTS:
        path = HERE / f"{project}.inv"
        lines = wanted.get(project)
        if args.check:
            have = decode(path.read_bytes()) if path.exists() else None
            if have != lines:
                stale.append(path.name)
        elif lines is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(encode(project, lines))
            print(f"{path.relative_to(ROOT)}: {len(lines)} names")
    if stale:
        raise SystemExit(
            f"Stale intersphinx inventories: {', '.join(stale)}. Run "
            "python docs/_intersphinx/make_inventories.py"
        )


if __name__ == "__main__":
    main()
