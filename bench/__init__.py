"""Benchmarks: speed targets live here, not in the timed unit tests (shared machines flake)."""
