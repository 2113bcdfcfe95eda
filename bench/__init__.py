"""Benchmarks (not tests): python -m bench.pages."""
