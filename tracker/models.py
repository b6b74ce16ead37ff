"""Every table of the tracker, imported in one place so SQLModel.metadata is complete (for
Alembic, the tests and anything that walks the schema)."""

from sqlmodel import SQLModel

from tracker.cameo import CameoEvent
from tracker.citations import Citation, CitationRelay
from tracker.history import Change
from tracker.kinds.deployments import Deployment
from tracker.kinds.engagements import Engagement, EngagementParticipant
from tracker.kinds.estimates import Estimate
from tracker.kinds.people import Person
from tracker.kinds.pledges import Pledge, PledgeRecipient, PledgeStatus
from tracker.kinds.sources import Source
from tracker.kinds.states import State, StateAlias
from tracker.kinds.treaties import Treaty, TreatyParty
from tracker.rollups import Rollup, RollupMark, ThinRecord
from tracker.schema import shared_checks
from tracker.users import SignIn, User
from tracker.versions import TableVersion

metadata = SQLModel.metadata
shared_checks(metadata)

__all__ = [
    "CameoEvent",
    "Change",
    "Citation",
    "CitationRelay",
    "Deployment",
    "Engagement",
    "EngagementParticipant",
    "Estimate",
    "Person",
    "Pledge",
    "PledgeRecipient",
    "PledgeStatus",
    "Rollup",
    "RollupMark",
    "SignIn",
    "Source",
    "State",
    "StateAlias",
    "TableVersion",
    "ThinRecord",
    "Treaty",
    "TreatyParty",
    "User",
    "metadata",
]
