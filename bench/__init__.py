"""Benchmarks. Run from the repository root, e.g. ``.venv/bin/python -m bench.intake``."""
