"""Benchmarks of the tracker at scale, beside the tools an analyst would use instead.

Run them with `python -m benchmarks` (see the README); they are not part of the test run."""
