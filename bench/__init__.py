"""Benchmarks: each prints a table and writes a JSON file under bench/results/."""
