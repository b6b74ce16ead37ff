"""Users, roles and sign-in: viewers read, editors write, admins manage users; rights are read
from the database at every write; repeated failed sign-ins slow guessing down."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from pydantic import ValidationError
from sqlmodel import Session, select

from tracker.errors import TrackerError
from tracker.records import save
from tracker.schema import utcnow
from tracker.users import (
    CLAIM_WINDOW,
    FIRST_WAIT,
    FREE_TRIES_PER_CLIENT,
    FREE_TRIES_PER_NAME,
    SIGN_IN_LENGTH,
    SYSTEM,
    Actor,
    NewUser,
    NotAllowed,
    Role,
    SignedOut,
    SignIn,
    TooManyTries,
    User,
    add_user,
    authenticate,
    change_password,
    end_sign_in,
    keep_sign_in,
    list_users,
    refresh,
    require_editor,
    resume_sign_in,
    set_active,
    sign_in,
)
from tracker.versions import data_version

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


# Sign-ins that outlast a page reload: the browser trades a one-time code for a token its
# http-only cookie keeps, and a new session resumes the sign-in from that token.


def kept_sign_in(session: Session, name: str = "ana") -> tuple[Actor, str]:
    """ACTOR signed in, and the token their browser's cookie keeps."""
    add_user(
        session=session, actor=SYSTEM, user=NewUser(name=name, password=PASSWORD, role="editor")
    )
    session.commit()
    actor, code = sign_in(session=session, name=name, password=PASSWORD)
    token, _expires = keep_sign_in(session=session, code=code)
    session.commit()
    return actor, token


def test_a_kept_sign_in_resumes_in_a_new_session_as_the_same_user(session: Session) -> None:
    actor, token = kept_sign_in(session)
    assert resume_sign_in(session=session, token=token) == actor
    assert resume_sign_in(session=session, token="a guess") is None


def test_only_hashes_of_codes_and_tokens_are_stored(session: Session) -> None:
    add_user(session=session, actor=SYSTEM, user=NewUser(name="ana", password=PASSWORD))
    _actor, code = sign_in(session=session, name="ana", password=PASSWORD)
    assert code not in session.exec(select(SignIn.code_hash)).one()
    token, _expires = keep_sign_in(session=session, code=code)
    stored = session.exec(select(SignIn.code_hash, SignIn.token_hash)).one()
    assert stored[0] is None and token not in stored[1]


def test_a_code_is_traded_once_and_only_soon_after_signing_in(session: Session) -> None:
    add_user(session=session, actor=SYSTEM, user=NewUser(name="ana", password=PASSWORD))
    _actor, code = sign_in(session=session, name="ana", password=PASSWORD)
    keep_sign_in(session=session, code=code)
    with pytest.raises(TrackerError, match="unknown, used or too old"):
        keep_sign_in(session=session, code=code)
    _actor, late = sign_in(session=session, name="ana", password=PASSWORD)
    with pytest.raises(TrackerError, match="unknown, used or too old"):
        keep_sign_in(session=session, code=late, now=utcnow() + CLAIM_WINDOW)


def test_a_sign_in_expires_after_its_length(session: Session) -> None:
    actor, token = kept_sign_in(session)
    later = utcnow() + SIGN_IN_LENGTH
    assert resume_sign_in(session=session, token=token, now=later) is None
    session.execute(sa.update(SignIn).values(expires_at=utcnow() - timedelta(seconds=1)))
    with pytest.raises(SignedOut, match="a sign-in lasts 12 hours, and this one is over"):
        refresh(session=session, actor=actor)


def test_signing_out_ends_the_sign_in_in_every_tab_it_reached(session: Session) -> None:
    actor, token = kept_sign_in(session)
    other_tab = resume_sign_in(session=session, token=token)
    end_sign_in(session=session, actor=actor)
    assert resume_sign_in(session=session, token=token) is None
    with pytest.raises(SignedOut, match="this sign-in was ended"):
        refresh(session=session, actor=other_tab)


def test_a_changed_password_ends_the_other_kept_sign_ins_but_not_this_one(
    session: Session,
) -> None:
    at_work, token_at_work = kept_sign_in(session)
    _at_home, code = sign_in(session=session, name="ana", password=PASSWORD)
    token_at_home, _expires = keep_sign_in(session=session, code=code)
    at_work = change_password(session=session, actor=at_work, current=PASSWORD, new="a" * 12)
    assert resume_sign_in(session=session, token=token_at_home) is None
    assert resume_sign_in(session=session, token=token_at_work) == at_work
    assert refresh(session=session, actor=at_work) == at_work


def test_deactivating_a_user_ends_their_kept_sign_ins(session: Session) -> None:
    _actor, token = kept_sign_in(session)
    set_active(session=session, actor=SYSTEM, name="ana", active=False)
    assert resume_sign_in(session=session, token=token) is None
    assert session.exec(select(SignIn)).all() == []


def test_signing_in_and_out_leaves_cached_answers_valid(session: Session) -> None:
    before = data_version(session)
    actor, _token = kept_sign_in(session)
    end_sign_in(session=session, actor=actor)
    session.flush()
    assert data_version(session) == before
