"""Clocks for the benchmarks: the best of several runs of a function, and a command's time."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def best_of(function: Callable[[], T], repeat: int = 3) -> tuple[float, T]:
    """The shortest of REPEAT runs of FUNCTION, in seconds, and its last answer. The shortest
    is the run the machine disturbed least."""
    best, answer = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        answer = function()
        best = min(best, time.perf_counter() - start)
    return best, answer


def timed(function: Callable[[], T]) -> tuple[float, T]:
    return best_of(function, repeat=1)


def run_command(command: list[str], *, stdin: str = "") -> tuple[float, str]:
    """Run COMMAND, given STDIN; its wall time in seconds and what it printed. Fails if it
    does."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdin and process.stdout and process.stderr
    process.stdin.write(stdin)
    process.stdin.close()
    output, errors = process.stdout.read(), process.stderr.read()
    code = process.wait()
    seconds = time.perf_counter() - start
    if code != 0:
        raise RuntimeError(f"{' '.join(command[:3])} failed ({code}): {errors[-2000:]}")
    return seconds, output
