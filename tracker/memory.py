"""What a long-running process keeps, told to Python's garbage collector."""

from __future__ import annotations

import gc


def freeze_loaded() -> None:
    """Leave what the process has loaded so far (its modules' objects, hundreds of thousands of
    them once pandas, SQLAlchemy and the tracker are imported) out of every later pass of the
    garbage collector. Those passes otherwise walk all of it again and again while an import or
    a page makes hundreds of thousands of short-lived rows: a fifth of a 10k import's time, and
    0.2 to 0.3 s of a page at a million events. Called once, where a process starts its work:
    the command line, the dashboard, the benchmarks."""
    gc.collect()
    gc.freeze()
