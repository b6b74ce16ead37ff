"""Users, roles and sign-in: viewers read, editors write, admins manage users; rights are read
from the database at every write; repeated failed sign-ins slow guessing down."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from tracker.errors import TrackerError
from tracker.records import save
from tracker.schema import utcnow
from tracker.users import (
    FIRST_WAIT,
    FREE_TRIES_PER_CLIENT,
    FREE_TRIES_PER_NAME,
    SYSTEM,
    Actor,
    NewUser,
    NotAllowed,
    Role,
    SignedOut,
    TooManyTries,
    User,
    add_user,
    authenticate,
    change_password,
    list_users,
    require_editor,
    set_active,
)

PASSWORD = "correct horse battery"
SOURCE = {"outlet": "Yonhap", "title": "A report", "type": "news_report"}


def sign_up(session: Session, name: str, role: str = "editor") -> Actor:
    add_user(session=session, actor=SYSTEM, user=NewUser(name=name, password=PASSWORD, role=role))
    session.commit()
    return authenticate(session=session, name=name, password=PASSWORD)


def test_a_user_signs_in_with_their_password(session: Session) -> None:
    actor = sign_up(session, "ana")
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


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short", "at least 10 characters"),
        (" " * 10, "at least 10 characters"),
        ("\x00" * 10, "control characters"),
        ("tab\tinside the password", "control characters"),
    ],
)
def test_a_weak_or_unprintable_password_is_refused(password: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        NewUser(name="ana", password=password)


@pytest.mark.parametrize(
    ("name", "reason"), [("a" * 101, "at most 100 characters"), ("a\x00b", "control characters")]
)
def test_a_name_too_long_or_unprintable_is_refused(name: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        NewUser(name=name, password=PASSWORD)


def test_only_admins_manage_users(session: Session) -> None:
    editor = sign_up(session, "ana")
    with pytest.raises(NotAllowed, match="only admins can manage users, and ana is an editor"):
        add_user(session=session, actor=editor, user=NewUser(name="bob", password=PASSWORD))


def test_only_editors_may_change_records(session: Session) -> None:
    viewer = sign_up(session, "vic", role="viewer")
    for actor in (None, viewer):
        with pytest.raises(NotAllowed, match="only editors can change records"):
            require_editor(session=session, actor=actor)
    assert require_editor(session=session, actor=SYSTEM) is SYSTEM


def test_an_editor_demoted_to_viewer_cannot_write_from_a_session_already_open(
    session: Session,
) -> None:
    editor = sign_up(session, "ana")
    save(session=session, actor=editor, kind="source", record=SOURCE)
    add_user(session=session, actor=SYSTEM, user=NewUser(name="ana", password=PASSWORD), reset=True)
    session.commit()
    with pytest.raises(NotAllowed, match="ana is a viewer"):
        save(session=session, actor=editor, kind="source", record=SOURCE | {"title": "Another"})


def test_a_deactivated_user_is_signed_out_and_cannot_sign_in(session: Session) -> None:
    editor = sign_up(session, "ana")
    set_active(session=session, actor=SYSTEM, name="ana", active=False)
    session.commit()
    with pytest.raises(SignedOut, match="deactivated"):
        save(session=session, actor=editor, kind="source", record=SOURCE)
    with pytest.raises(TrackerError, match="do not match an active user"):
        authenticate(session=session, name="ana", password=PASSWORD)
    assert [(user.name, user.active) for user in list_users(session=session)] == [("ana", False)]
    set_active(session=session, actor=SYSTEM, name="ana", active=True)
    assert authenticate(session=session, name="ana", password=PASSWORD).can_edit


def test_an_admin_cannot_deactivate_themselves(session: Session) -> None:
    admin = sign_up(session, "ada", role="admin")
    with pytest.raises(NotAllowed, match="cannot deactivate yourself"):
        set_active(session=session, actor=admin, name="ada", active=False)


def test_a_changed_password_ends_the_other_sessions_but_not_this_one(session: Session) -> None:
    at_the_office = sign_up(session, "ana")
    at_home = authenticate(session=session, name="ana", password=PASSWORD)
    at_home = change_password(
        session=session, actor=at_home, current=PASSWORD, new="a new passphrase"
    )
    session.commit()
    save(session=session, actor=at_home, kind="source", record=SOURCE)
    with pytest.raises(SignedOut, match="password of ana was changed"):
        save(session=session, actor=at_the_office, kind="source", record=SOURCE)


def test_changing_a_password_needs_the_current_one(session: Session) -> None:
    ana = sign_up(session, "ana")
    with pytest.raises(TrackerError, match="current password is not right"):
        change_password(session=session, actor=ana, current="not the password", new="whatever!!")


def test_an_admin_reset_of_a_password_ends_the_users_sessions(session: Session) -> None:
    ana = sign_up(session, "ana")
    reset = NewUser(name="ana", password="reset by the admin", role="editor")
    add_user(session=session, actor=SYSTEM, user=reset, reset=True)
    session.commit()
    with pytest.raises(SignedOut, match="sign in again"):
        require_editor(session=session, actor=ana)


def test_repeated_failures_for_a_name_make_even_the_right_password_wait(session: Session) -> None:
    add_user(session=session, actor=SYSTEM, user=NewUser(name="ana", password=PASSWORD))
    now = utcnow()
    for _ in range(FREE_TRIES_PER_NAME):
        with pytest.raises(TrackerError, match="do not match"):
            authenticate(session=session, name="ana", password="a wrong guess", now=now)
    with pytest.raises(TooManyTries, match="for this name: try again in 30 seconds"):
        authenticate(session=session, name="ana", password=PASSWORD, now=now)
    later = now + FIRST_WAIT + timedelta(seconds=1)
    assert authenticate(session=session, name="ana", password=PASSWORD, now=later).name == "ana"


def test_each_further_failure_doubles_the_wait(session: Session) -> None:
    now = utcnow()
    for tries in range(FREE_TRIES_PER_NAME + 1):
        moment = now + tries * 2 * FIRST_WAIT
        with pytest.raises(TrackerError, match="do not match"):
            authenticate(session=session, name="ana", password="guess", now=moment)
    with pytest.raises(TooManyTries, match="try again in 60 seconds"):
        authenticate(session=session, name="ana", password="guess", now=moment)


def test_many_failures_from_one_address_slow_every_name_down(session: Session) -> None:
    add_user(session=session, actor=SYSTEM, user=NewUser(name="ana", password=PASSWORD))
    now = utcnow()
    for attempt in range(FREE_TRIES_PER_CLIENT):
        with pytest.raises(TrackerError, match="do not match"):
            authenticate(
                session=session, name=f"guess{attempt}", password="x", client="10.0.0.9", now=now
            )
    with pytest.raises(TooManyTries, match="from this address"):
        authenticate(session=session, name="ana", password=PASSWORD, client="10.0.0.9", now=now)
    assert authenticate(session=session, name="ana", password=PASSWORD, client="10.0.0.8", now=now)


def test_a_name_no_database_can_hold_is_refused_like_any_wrong_name(session: Session) -> None:
    for name in ("a\x00b", "x" * 500):
        with pytest.raises(TrackerError, match="do not match an active user"):
            authenticate(session=session, name=name, password=PASSWORD)


def test_adding_a_name_already_taken_changes_nothing_unless_reset_on_purpose(
    session: Session,
) -> None:
    ana = sign_up(session, "ana")
    with pytest.raises(TrackerError, match="a user called 'ana' exists already"):
        add_user(
            session=session,
            actor=SYSTEM,
            user=NewUser(name="ana", password="someone else's", role="admin"),
        )
    session.commit()
    assert require_editor(session=session, actor=ana).role == "editor"
