"""Benchmarks: `python -m bench [NAME] [OPTIONS]` (or `./dev bench`); figures also go to bench/results/NAME.json."""
