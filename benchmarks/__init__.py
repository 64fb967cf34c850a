"""Benchmarks of ``sahel`` against its peers and floors: ``python -m benchmarks``.

Every figure is a ratio of two things measured side by side in the same run;
absolute times on shared machines are noise. Not part of the test suite.
"""
