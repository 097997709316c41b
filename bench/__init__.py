"""Benchmarks; each writes its figures to bench/results/<name>.json (see bench/Makefile)."""
