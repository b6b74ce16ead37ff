"""The one write path: create, edit, conflicts, retirement, restoration, and refusals."""

from __future__ import annotations

from typing import Any

import pytest
from database_rules import assert_refused
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from tracker.filters import Filters
from tracker.history import history_of
from tracker.kinds.engagements import Engagement
from tracker.kinds.pledges import Pledge, PledgeCreate
from tracker.kinds.sources import Source
from tracker.kinds.treaties import Treaty, TreatyParty
from tracker.records import Conflict, as_record, choices, restore, retire, revert, save
from tracker.timelines import pledge_timeline
from tracker.users import Actor, NotAllowed

EDITOR = Actor(id=None, name="ana", role="editor")
OTHER_EDITOR = Actor(id=None, name="ben", role="editor")
VIEWER = Actor(id=None, name="vic", role="viewer")


def _kremlin(session: Session) -> int:
    return session.exec(select(Source.id).where(Source.outlet == "Kremlin")).one()


def _pledge(session: Session, **fields: Any) -> PledgeCreate:
    source = _kremlin(session)
    return PledgeCreate.model_validate(
        {
            "title": "Russia pledges grain to North Korea",
            "pledger_state_code": "RUS",
            "recipients": [{"state_code": "PRK"}],
            "made": "2025-09",
            "kind": "economic",
            "quote": "we will send grain",
            "statuses": [
                {
                    "status": "announced",
                    "changed": "2025-09",
                    "citations": [{"source_id": source, "quote": "grain"}],
                }
            ],
            "citations": [{"source_id": source, "quote": "we will send grain", "credibility": 3}],
        }
        | fields
    )


def _count(session: Session, table: Any) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


def test_an_editor_creates_a_pledge_with_its_status_and_citation(seeded: Session) -> None:
    pledge = save(session=seeded, actor=EDITOR, kind="pledge", record=_pledge(seeded))
    seeded.commit()
    stored = as_record(session=seeded, kind="pledge", record_id=pledge.id)
    assert stored["quote"] == "we will send grain"
    assert [status["status"] for status in stored["statuses"]] == ["announced"]
    assert stored["citations"][0]["credibility"] == 3
    pledges, _ = pledge_timeline(session=seeded, filters=Filters(states=("RUS", "PRK")))
    assert "Russia pledges grain to North Korea" in set(pledges["pledge"])


def test_a_viewer_cannot_write_and_nothing_changes(seeded: Session) -> None:
    before = _count(seeded, Pledge)
    with pytest.raises(NotAllowed, match="only editors can change records, and vic is a viewer"):
        save(session=seeded, actor=VIEWER, kind="pledge", record=_pledge(seeded))
    with pytest.raises(NotAllowed):
        retire(session=seeded, actor=VIEWER, kind="pledge", record_id=1)
    seeded.rollback()
    assert _count(seeded, Pledge) == before


def test_a_record_without_a_citation_is_refused(seeded: Session) -> None:
    with pytest.raises(ValidationError, match="citations"):
        save(session=seeded, actor=EDITOR, kind="pledge", record=_pledge(seeded, citations=[]))


def test_an_edit_replaces_the_values_rows_and_citations(seeded: Session) -> None:
    treaty_id = seeded.exec(select(Treaty.id).where(Treaty.name == "Treaty of Rapallo")).one()
    record = as_record(session=seeded, kind="treaty", record_id=treaty_id)
    record |= {
        "ended": "1941-06-22",
        "parties": [{"state_code": "DEU"}, {"state_code": "RUS"}, {"state_code": "ITA"}],
    }
    save(
        session=seeded,
        actor=EDITOR,
        kind="treaty",
        record=record,
        record_id=treaty_id,
        expected_version=1,
    )
    seeded.commit()
    treaty = seeded.get(Treaty, treaty_id)
    assert (str(treaty.fuzzy("ended")), treaty.version) == ("1941-06-22", 2)
    parties = seeded.exec(select(TreatyParty.state_code).where(TreatyParty.treaty_id == treaty_id))
    assert sorted(parties) == ["DEU", "ITA", "RUS"]
    record["parties"] = [{"state_code": "DEU"}, {"state_code": "RUS"}]
    save(
        session=seeded,
        actor=EDITOR,
        kind="treaty",
        record=record,
        record_id=treaty_id,
        expected_version=2,
    )
    seeded.commit()
    assert _count(seeded, TreatyParty) == 4  # ITA left; the history keeps it


def test_a_save_based_on_an_old_version_is_refused_and_changes_nothing(
    seeded: Session, seeded_engine: Engine
) -> None:
    treaty_id = seeded.exec(select(Treaty.id).where(Treaty.name == "Treaty of Rapallo")).one()
    record = as_record(session=seeded, kind="treaty", record_id=treaty_id)
    save(
        session=seeded,
        actor=EDITOR,
        kind="treaty",
        record=record | {"kind": "Friendship"},
        record_id=treaty_id,
        expected_version=1,
    )
    seeded.commit()
    with Session(seeded_engine) as second:
        with pytest.raises(
            Conflict, match=r"changed by ana at .* after you opened it; your changes were not saved"
        ):
            save(
                session=second,
                actor=OTHER_EDITOR,
                kind="treaty",
                record=record | {"kind": "Alliance"},
                record_id=treaty_id,
                expected_version=1,
            )
        second.rollback()
    seeded.expire_all()
    assert seeded.get(Treaty, treaty_id).kind == "Friendship"


def test_two_editors_saving_at_once_do_not_overwrite_each_other(
    seeded: Session, seeded_engine: Engine
) -> None:
    treaty_id = seeded.exec(select(Treaty.id).where(Treaty.name == "Treaty of Rapallo")).one()
    record = as_record(session=seeded, kind="treaty", record_id=treaty_id)
    with Session(seeded_engine) as first, Session(seeded_engine) as second:
        first.get(Treaty, treaty_id), second.get(Treaty, treaty_id)  # both open version 1
        save(
            session=first,
            actor=EDITOR,
            kind="treaty",
            record=record | {"kind": "A"},
            record_id=treaty_id,
            expected_version=1,
        )
        first.commit()
        with pytest.raises(Conflict):
            save(
                session=second,
                actor=OTHER_EDITOR,
                kind="treaty",
                record=record | {"kind": "B"},
                record_id=treaty_id,
                expected_version=1,
            )


def test_retiring_hides_a_record_everywhere_and_restoring_brings_it_back(seeded: Session) -> None:
    pledge_id = seeded.exec(select(Pledge.id).where(Pledge.title.startswith("Kim assures"))).one()
    retire(session=seeded, actor=EDITOR, kind="pledge", record_id=pledge_id)
    seeded.commit()
    pledges, _ = pledge_timeline(session=seeded, filters=Filters())
    assert "Kim assures Lavrov of unconditional support for Russia" not in set(pledges["pledge"])
    assert pledge_id in choices(session=seeded, kind="pledge", retired=True)
    assert seeded.get(Pledge, pledge_id) is not None
    restore(session=seeded, actor=EDITOR, kind="pledge", record_id=pledge_id)
    seeded.commit()
    pledges, _ = pledge_timeline(session=seeded, filters=Filters())
    assert "Kim assures Lavrov of unconditional support for Russia" in set(pledges["pledge"])


def test_every_step_is_in_the_history_with_who_and_what(seeded: Session) -> None:
    pledge = save(session=seeded, actor=EDITOR, kind="pledge", record=_pledge(seeded))
    seeded.commit()
    record = as_record(session=seeded, kind="pledge", record_id=pledge.id)
    save(
        session=seeded,
        actor=OTHER_EDITOR,
        kind="pledge",
        record=record | {"quote": "we will send wheat"},
        record_id=pledge.id,
        expected_version=1,
    )
    retire(session=seeded, actor=EDITOR, kind="pledge", record_id=pledge.id)
    seeded.commit()
    steps = [
        (change.action, change.user_name, change.row_table)
        for change in history_of(session=seeded, table="pledge", record_id=pledge.id)
        if change.row_table == "pledge"
    ]
    assert steps == [
        ("retire", "ana", "pledge"),
        ("update", "ben", "pledge"),
        ("create", "ana", "pledge"),
    ]
    edit = next(
        c
        for c in history_of(session=seeded, table="pledge", record_id=pledge.id)
        if c.action == "update"
    )
    assert edit.changed == {"quote": ("we will send grain", "we will send wheat")}
    created = {
        c.row_table
        for c in history_of(session=seeded, table="pledge", record_id=pledge.id)
        if c.action == "create"
    }
    assert created == {"pledge", "pledge_recipient", "pledge_status", "citation"}


def test_an_earlier_version_can_be_restored(seeded: Session) -> None:
    pledge = save(session=seeded, actor=EDITOR, kind="pledge", record=_pledge(seeded))
    seeded.commit()
    record = as_record(session=seeded, kind="pledge", record_id=pledge.id)
    save(
        session=seeded,
        actor=EDITOR,
        kind="pledge",
        record=record | {"quote": "wheat"},
        record_id=pledge.id,
    )
    seeded.commit()
    first = next(
        c
        for c in history_of(session=seeded, table="pledge", record_id=pledge.id)
        if c.action == "create" and c.row_table == "pledge"
    )
    revert(
        session=seeded, actor=OTHER_EDITOR, kind="pledge", record_id=pledge.id, change_id=first.id
    )
    seeded.commit()
    assert seeded.get(Pledge, pledge.id).quote == "we will send grain"
    latest = history_of(session=seeded, table="pledge", record_id=pledge.id)[0]
    assert (latest.user_name, latest.changed["quote"]) == ("ben", ("wheat", "we will send grain"))
    assert latest.note.startswith("restored the version saved by ana")


def test_a_standalone_estimate_needs_its_deployment(seeded: Session) -> None:
    source = _kremlin(seeded)
    estimate = {
        "source_id": source,
        "qualifier": "over",
        "low": 5,
        "measure": "cumulative_sent",
        "scope": "Russia",
        "as_of": "2025",
        "citations": [{"source_id": source, "quote": "q"}],
    }
    with pytest.raises(ValidationError, match="choose the deployment"):
        save(session=seeded, actor=EDITOR, kind="estimate", record=estimate)


def test_retired_at_and_version_are_columns_the_database_keeps(seeded_engine: Engine) -> None:
    assert_refused(
        seeded_engine,
        Pledge,
        {
            "title": "x",
            "pledger_state_code": "PRK",
            "kind": "military",
            "made": "2025-01-01",
            "made_precision": "day",
            "made_latest": "2025-01-01",
            "conditionality": "unspecified",
            "version": None,
        },
        "not null|version",
    )


def test_editing_a_deployment_keeps_its_estimates(seeded: Session) -> None:
    from tracker.kinds.deployments import Deployment, Estimate

    troops = seeded.exec(
        select(Deployment).where(Deployment.name.startswith("North Korean troops"))
    ).one()
    record = as_record(session=seeded, kind="deployment", record_id=troops.id)
    assert "estimates" not in record or record["estimates"]
    save(
        session=seeded,
        actor=EDITOR,
        kind="deployment",
        record=record | {"region": "Kursk oblast", "estimates": []},
        record_id=troops.id,
        expected_version=troops.version,
    )
    seeded.commit()
    assert seeded.exec(select(func.count()).where(Estimate.deployment_id == troops.id)).one() == 3


def test_the_history_reads_in_names_and_plain_words(seeded: Session) -> None:
    call = seeded.exec(select(Engagement).where(Engagement.title == "Putin–Kim phone call")).one()
    changes = history_of(session=seeded, table="engagement", record_id=call.id)
    whats = {change.what for change in changes}
    assert {"created", "added an engagement participant", "added a citation"} <= whats
    cited = next(change for change in changes if change.row_table == "citation")
    fields = {field: after for field, _before, after in cited.described}
    assert fields["source"].startswith(("Unnamed news outlet: ", "Unnamed multi-perspective"))
    participant = next(c for c in changes if c.row_table == "engagement_participant")
    named = {field: after for field, _before, after in participant.described}
    assert named["state"] in {"Russia (RUS)", "North Korea (PRK)"}
    assert named["person"] in {"Vladimir Putin (RUS)", "Kim Jong Un (PRK)"}
