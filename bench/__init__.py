"""Benchmarks run by `make bench`; bench.run_all writes BENCHMARKS.md from one run."""
