"""Reproducible speed figures for trustlab: run ``python -m benchmarks`` (or ``make bench``)."""
