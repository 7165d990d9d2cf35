"""Collect only the pages' doctests from docs/, not Sphinx's files or output."""

collect_ignore = ["conf.py"]
collect_ignore_glob = ["_build/*", "_templates/*", "auto_examples/*", "generated/*"]
