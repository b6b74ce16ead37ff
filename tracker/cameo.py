"""CAMEO event codes and their Goldstein cooperation weights.

Keeping each engagement's CAMEO code lets the data leave for other event datasets (GDELT,
ICEWS, ACLED's CAMEO-style tools) and gives every kind of activity a documented weight for
the activity index: the Goldstein scale runs from -10 (most conflictual) to +10 (most
cooperative).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Field, Session

from tracker.schema import Record, Table, upsert


class CameoEventBase(Record):
    code: str = Field(min_length=2, max_length=4, unique=True)
    name: str = Field(min_length=1, max_length=200)
    goldstein: float = Field(
        ge=-10, le=10, description="Goldstein weight, -10 most conflictual to +10 most cooperative"
    )


class CameoEvent(CameoEventBase, Table, table=True):
    __tablename__ = "cameo_event"
    __table_args__ = (
        sa.CheckConstraint("goldstein BETWEEN -10 AND 10", name="goldstein_range"),
        sa.CheckConstraint("length(code) BETWEEN 2 AND 4", name="code_length"),
    )


# The codes this tracker uses, from the CAMEO codebook (Schrodt 2012) with Goldstein (1992)
# weights.
CAMEO_EVENTS = (
    CameoEventBase(code="041", name="Discuss by telephone", goldstein=1.0),
    CameoEventBase(code="042", name="Make a visit", goldstein=1.9),
    CameoEventBase(code="043", name="Host a visit", goldstein=2.8),
    CameoEventBase(code="044", name="Meet at a third location", goldstein=2.5),
    CameoEventBase(code="0311", name="Express intent to cooperate economically", goldstein=5.2),
    CameoEventBase(code="0312", name="Express intent to cooperate militarily", goldstein=5.2),
    CameoEventBase(
        code="032", name="Express intent to provide diplomatic cooperation", goldstein=4.5
    ),
    CameoEventBase(code="057", name="Sign formal agreement", goldstein=8.0),
    CameoEventBase(code="062", name="Cooperate militarily", goldstein=7.4),
    CameoEventBase(code="072", name="Provide military aid", goldstein=8.3),
)


def load_cameo_events(*, session: Session) -> int:
    """Store the CAMEO codes the tracker uses; returns how many."""
    for event in CAMEO_EVENTS:
        upsert(session, CameoEvent, {"code": event.code}, event.model_dump(exclude={"code"}))
    return len(CAMEO_EVENTS)
