"""What a long-running process keeps is left out of the garbage collector's passes
(tracker.memory)."""

from __future__ import annotations

import subprocess
import sys


def python(code: str) -> str:
    """What CODE prints, run in a new Python process: freezing is for the whole process."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout


def test_what_is_loaded_is_left_out_of_later_passes() -> None:
    before, frozen, left = map(
        int,
        python(
            "import gc, tracker.cli; from tracker.memory import freeze_loaded; "
            "before = gc.get_freeze_count(); "
            "freeze_loaded(); print(before, gc.get_freeze_count(), len(gc.get_objects()))"
        ).split(),
    )
    assert before == 0
    assert frozen > 50_000  # the tracker, SQLAlchemy, pandas: what every command loads
    assert left < 1_000  # what a pass still walks


def test_every_command_freezes_what_it_has_loaded_before_it_starts() -> None:
    frozen = python(
        "import gc, sys; from tracker.cli import main; sys.argv = ['tracker', 'version']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\nprint(gc.get_freeze_count())"
    )
    assert int(frozen.split()[-1]) > 50_000
