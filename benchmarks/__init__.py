"""Benchmarks: owner search at one million owners and the 100,000-row Excel import.

Run with ``python -m benchmarks.run``; see benchmarks/README.md. They print their figures
and are never part of the test suite.
"""
