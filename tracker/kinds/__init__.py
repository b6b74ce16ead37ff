"""The registry of record kinds: one line per kind, in the order their records load (a kind
comes after the kinds its records refer to). Each kind is declared in its own module (see
tracker/kinds/kind.py for what a declaration holds); every list of kinds the tracker uses is
derived from this one.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum

from tracker.errors import NotFound
from tracker.kinds.deployments import DEPLOYMENT
from tracker.kinds.engagements import ENGAGEMENT
from tracker.kinds.estimates import ESTIMATE
from tracker.kinds.kind import Kind
from tracker.kinds.people import PERSON
from tracker.kinds.pledges import PLEDGE
from tracker.kinds.sources import SOURCE
from tracker.kinds.states import STATE
from tracker.kinds.treaties import TREATY

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        STATE,
        SOURCE,
        PERSON,
        TREATY,
        ENGAGEMENT,
        DEPLOYMENT,
        ESTIMATE,
        PLEDGE,
    )
}


def kind_of(name: str) -> Kind:
    """The record kind called NAME."""
    if name not in KINDS:
        raise NotFound(f"there is no kind of record called {name!r}")
    return KINDS[name]


def with_parts() -> Iterator[Kind]:
    """Every kind of record and of row within one, each once, in the order they load."""
    seen: set[str] = set()
    for kind in KINDS.values():
        for each in (kind, *(part for _, part in kind.parts)):
            if each.name not in seen:
                seen.add(each.name)
                yield each


# The kinds that happen or begin on a date: charted, filtered and counted by the dashboard.
DATED = tuple(kind for kind in KINDS.values() if kind.starts is not None)
RecordKind = StrEnum("RecordKind", [(kind.name.upper(), kind.name) for kind in DATED])
RecordKind.__doc__ = "A kind of record the dashboard charts and filters (its name)."
