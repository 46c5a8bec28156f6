"""Benchmarks: they print figures; none of them is a test. ``make bench`` runs them all."""
