"""Benchmarks and accuracy reports, run from the checkout: `.venv/bin/python -m bench.<name>`."""
