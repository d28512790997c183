"""Benchmarks and the scale data they run on (``bench/scale/``); results in ``bench/results/``."""
