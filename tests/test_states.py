"""States and organisations: every ISO 3166-1 country, COW codes, aliases."""

from __future__ import annotations

import pycountry
import pytest
from database_rules import assert_accepted, assert_refused
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from tracker.errors import NotFound
from tracker.kinds.states import State, StateCreate, find_state


def test_every_iso_country_is_loaded(session: Session) -> None:
    codes = set(session.exec(select(State.code).where(State.kind == "state")))
    assert codes == {country.alpha_3 for country in pycountry.countries}


def test_states_carry_short_names_and_correlates_of_war_codes(session: Session) -> None:
    north_korea = session.exec(select(State).where(State.code == "PRK")).one()
    assert (north_korea.name, north_korea.cow_code) == ("North Korea", 731)
    assert session.exec(select(State.cow_code).where(State.code == "RUS")).one() == 365
    with_cow = session.exec(select(func.count()).where(State.cow_code.is_not(None))).one()
    assert with_cow > 180


@pytest.mark.parametrize(
    "name", ["PRK", "prk", "North Korea", "Democratic People's Republic of Korea"]
)
def test_a_state_is_found_by_code_name_or_formal_name(session: Session, name: str) -> None:
    assert find_state(session=session, name=name).code == "PRK"


@pytest.mark.parametrize("alias", ["DPRK", "Pyongyang", "north korean"])
def test_the_seeds_add_the_aliases_sources_use(seeded: Session, alias: str) -> None:
    assert find_state(session=seeded, name=alias).code == "PRK"


def test_an_unknown_state_is_refused_in_words(session: Session) -> None:
    with pytest.raises(NotFound, match="no state is known as 'Narnia'"):
        find_state(session=session, name="Narnia")


def test_a_state_code_must_be_iso() -> None:
    with pytest.raises(ValidationError, match="not an ISO 3166 alpha-3 country code"):
        StateCreate(code="XYZ", name="Nowhere")
    assert StateCreate(code="sun", name="Soviet Union").code == "SUN"  # ISO 3166-3, withdrawn
    assert StateCreate(code="NATO", name="NATO", kind="organisation").kind == "organisation"


def test_the_database_refuses_a_malformed_code_or_a_reused_cow_code(engine: Engine) -> None:
    row = {"code": "ABCD", "name": "Alliance body", "kind": "organisation"}
    assert_accepted(engine, State, row)
    assert_refused(engine, State, row | {"code": "abcd"}, "ck_state_code_format")
    assert_refused(engine, State, row | {"code": "TOOLONGCODE"}, "ck_state_code_format|too long")
    assert_refused(engine, State, row | {"cow_code": 731}, "uq_state_cow_code|unique")
    assert_refused(engine, State, row | {"kind": "empire"}, "ck_state_kind")


def test_the_seeds_add_nato_as_an_organisation(seeded: Session) -> None:
    nato = find_state(session=seeded, name="North Atlantic Treaty Organization")
    assert (nato.code, nato.kind) == ("NATO", "organisation")
