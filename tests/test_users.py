"""Users, roles and sign-in: viewers read, editors write, admins manage users."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from tracker.errors import TrackerError
from tracker.users import (
    SYSTEM,
    Actor,
    NewUser,
    NotAllowed,
    Role,
    User,
    add_user,
    authenticate,
    require_editor,
)

PASSWORD = "correct horse battery"


def test_a_user_signs_in_with_their_password(session: Session) -> None:
    add_user(
        session=session, actor=SYSTEM, user=NewUser(name="ana", password=PASSWORD, role="editor")
    )
    actor = authenticate(session=session, name="ana", password=PASSWORD)
    assert (actor.name, actor.role, actor.can_edit) == ("ana", Role.EDITOR, True)


def test_passwords_are_stored_only_as_argon2_hashes(session: Session) -> None:
    add_user(session=session, actor=SYSTEM, user=NewUser(name="ana", password=PASSWORD))
    stored = session.exec(select(User.password_hash).where(User.name == "ana")).one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


@pytest.mark.parametrize(("name", "password"), [("ana", "wrong password!"), ("nobody", PASSWORD)])
def test_a_wrong_name_or_password_gets_the_same_refusal(
    session: Session, name: str, password: str
) -> None:
    add_user(session=session, actor=SYSTEM, user=NewUser(name="ana", password=PASSWORD))
    with pytest.raises(TrackerError, match="do not match an active user"):
        authenticate(session=session, name=name, password=password)


def test_a_short_password_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least 10 characters"):
        NewUser(name="ana", password="short")


def test_only_admins_manage_users(session: Session) -> None:
    editor = Actor(id=1, name="ana", role="editor")
    with pytest.raises(NotAllowed, match="only admins can manage users, and ana is an editor"):
        add_user(session=session, actor=editor, user=NewUser(name="bob", password=PASSWORD))


@pytest.mark.parametrize("actor", [None, Actor(id=3, name="vic", role="viewer")])
def test_only_editors_may_change_records(actor: Actor | None) -> None:
    with pytest.raises(NotAllowed, match="only editors can change records"):
        require_editor(actor)
    assert require_editor(SYSTEM) is SYSTEM
